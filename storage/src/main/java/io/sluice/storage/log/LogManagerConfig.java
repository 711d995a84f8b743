package io.sluice.storage.log;

import io.sluice.storage.cleaner.CleanerConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Broker-wide storage settings (Kafka names where Kafka has the setting).
 *
 * <p>Immutable, thread-safe.
 *
 * @param logDirs                              {@code log.dirs}: one or more directories holding partition dirs
 * @param defaultLogConfig                     broker defaults for every log ({@code log.segment.bytes}, ...)
 * @param retentionCheckIntervalMs             {@code log.retention.check.interval.ms} (Kafka: 300000)
 * @param flushSchedulerIntervalMs             {@code log.flush.scheduler.interval.ms}: how often flush.ms is checked (Kafka: Long.MAX)
 * @param flushRecoveryPointCheckpointIntervalMs {@code log.flush.offset.checkpoint.interval.ms} (Kafka: 60000)
 * @param flushStartOffsetCheckpointIntervalMs {@code log.flush.start.offset.checkpoint.interval.ms} (Kafka: 60000)
 * @param recoveryThreadsPerDataDir            {@code num.recovery.threads.per.data.dir} (Kafka: 2)
 * @param mappedSegmentsMax                    {@code log.mapped.segments.max} (Sluice): bound on open segment mappings
 * @param reserveStepBytesMin                  {@code log.segment.reserve.step.min.bytes} (Sluice): first reservation of a new segment
 * @param reserveStepBytesMax                  {@code log.segment.reserve.step.max.bytes} (Sluice): largest step; steps double up to it
 * @param cleanerConfig                        the {@code log.cleaner.*} settings
 */
public record LogManagerConfig(List<Path> logDirs, LogConfig defaultLogConfig, long retentionCheckIntervalMs,
                               long flushSchedulerIntervalMs, long flushRecoveryPointCheckpointIntervalMs,
                               long flushStartOffsetCheckpointIntervalMs, int recoveryThreadsPerDataDir,
                               int mappedSegmentsMax, int reserveStepBytesMin, int reserveStepBytesMax,
                               CleanerConfig cleanerConfig) {

    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.start.offset.checkpoint.interval.ms";
    public static final String NUM_RECOVERY_THREADS_PER_DATA_DIR = "num.recovery.threads.per.data.dir";
    public static final String LOG_MAPPED_SEGMENTS_MAX = "log.mapped.segments.max";
    public static final String LOG_SEGMENT_RESERVE_STEP_MIN_BYTES = "log.segment.reserve.step.min.bytes";
    public static final String LOG_SEGMENT_RESERVE_STEP_MAX_BYTES = "log.segment.reserve.step.max.bytes";

    public static final int MAPPED_SEGMENTS_MAX_DEFAULT = 2048;
    public static final int RESERVE_STEP_BYTES_MIN_DEFAULT = 1024 * 1024;
    public static final int RESERVE_STEP_BYTES_MAX_DEFAULT = 16 * 1024 * 1024;

    public LogManagerConfig {
        Objects.requireNonNull(logDirs, LOG_DIRS);
        Objects.requireNonNull(defaultLogConfig, "defaultLogConfig");
        Objects.requireNonNull(cleanerConfig, "cleanerConfig");
        if (logDirs.isEmpty()) {
            throw new IllegalArgumentException("Invalid value for configuration " + LOG_DIRS + ": empty");
        }
        logDirs = List.copyOf(logDirs);
        positive(LOG_RETENTION_CHECK_INTERVAL_MS, retentionCheckIntervalMs);
        positive(LOG_FLUSH_SCHEDULER_INTERVAL_MS, flushSchedulerIntervalMs);
        positive(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, flushRecoveryPointCheckpointIntervalMs);
        positive(LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS, flushStartOffsetCheckpointIntervalMs);
        positive(NUM_RECOVERY_THREADS_PER_DATA_DIR, recoveryThreadsPerDataDir);
        positive(LOG_MAPPED_SEGMENTS_MAX, mappedSegmentsMax);
        if (reserveStepBytesMin < 4096) {
            throw new IllegalArgumentException("Invalid value " + reserveStepBytesMin + " for configuration "
                    + LOG_SEGMENT_RESERVE_STEP_MIN_BYTES + ": must be at least 4096");
        }
        if (reserveStepBytesMax < reserveStepBytesMin) {
            throw new IllegalArgumentException("Invalid value " + reserveStepBytesMax + " for configuration "
                    + LOG_SEGMENT_RESERVE_STEP_MAX_BYTES + ": must be at least " + LOG_SEGMENT_RESERVE_STEP_MIN_BYTES);
        }
    }

    /** Kafka's defaults for the given dirs. */
    public static LogManagerConfig defaults(List<Path> logDirs) {
        return new LogManagerConfig(logDirs, LogConfig.DEFAULTS, 300_000L, Long.MAX_VALUE, 60_000L, 60_000L, 2,
                MAPPED_SEGMENTS_MAX_DEFAULT, RESERVE_STEP_BYTES_MIN_DEFAULT, RESERVE_STEP_BYTES_MAX_DEFAULT,
                CleanerConfig.DEFAULTS);
    }

    /** From server.properties names; {@code log.dirs} (or {@code log.dir}) is comma-separated. */
    public static LogManagerConfig fromBrokerProperties(Map<String, String> props) {
        String dirs = props.getOrDefault(LOG_DIRS, props.get("log.dir"));
        if (dirs == null || dirs.isBlank()) {
            throw new IllegalArgumentException("Missing configuration " + LOG_DIRS);
        }
        List<Path> logDirs = new ArrayList<>();
        for (String d : dirs.split(",")) {
            if (!d.isBlank()) {
                logDirs.add(Path.of(d.trim()));
            }
        }
        LogManagerConfig d = defaults(logDirs);
        return new LogManagerConfig(logDirs, LogConfig.fromBrokerProperties(props),
                longOr(props, LOG_RETENTION_CHECK_INTERVAL_MS, d.retentionCheckIntervalMs),
                longOr(props, LOG_FLUSH_SCHEDULER_INTERVAL_MS, d.flushSchedulerIntervalMs),
                longOr(props, LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, d.flushRecoveryPointCheckpointIntervalMs),
                longOr(props, LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS, d.flushStartOffsetCheckpointIntervalMs),
                (int) longOr(props, NUM_RECOVERY_THREADS_PER_DATA_DIR, d.recoveryThreadsPerDataDir),
                (int) longOr(props, LOG_MAPPED_SEGMENTS_MAX, d.mappedSegmentsMax),
                (int) longOr(props, LOG_SEGMENT_RESERVE_STEP_MIN_BYTES, d.reserveStepBytesMin),
                (int) longOr(props, LOG_SEGMENT_RESERVE_STEP_MAX_BYTES, d.reserveStepBytesMax),
                CleanerConfig.fromBrokerProperties(props));
    }

    /** A copy with another default log config. */
    public LogManagerConfig withDefaultLogConfig(LogConfig logConfig) {
        return new LogManagerConfig(logDirs, logConfig, retentionCheckIntervalMs, flushSchedulerIntervalMs,
                flushRecoveryPointCheckpointIntervalMs, flushStartOffsetCheckpointIntervalMs, recoveryThreadsPerDataDir,
                mappedSegmentsMax, reserveStepBytesMin, reserveStepBytesMax, cleanerConfig);
    }

    /** A copy with other log cleaner settings. */
    public LogManagerConfig withCleanerConfig(CleanerConfig cleaner) {
        return new LogManagerConfig(logDirs, defaultLogConfig, retentionCheckIntervalMs, flushSchedulerIntervalMs,
                flushRecoveryPointCheckpointIntervalMs, flushStartOffsetCheckpointIntervalMs, recoveryThreadsPerDataDir,
                mappedSegmentsMax, reserveStepBytesMin, reserveStepBytesMax, cleaner);
    }

    /** A copy with another mapping bound. */
    public LogManagerConfig withMappedSegmentsMax(int max) {
        return new LogManagerConfig(logDirs, defaultLogConfig, retentionCheckIntervalMs, flushSchedulerIntervalMs,
                flushRecoveryPointCheckpointIntervalMs, flushStartOffsetCheckpointIntervalMs, recoveryThreadsPerDataDir,
                max, reserveStepBytesMin, reserveStepBytesMax, cleanerConfig);
    }

    private static long longOr(Map<String, String> props, String key, long dflt) {
        String v = props.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key + ": not a number", e);
        }
    }

    private static void positive(String key, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key + ": must be positive");
        }
    }
}
