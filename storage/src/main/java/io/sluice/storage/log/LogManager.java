package io.sluice.storage.log;

import io.sluice.storage.StorageException;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.cleaner.CleaningHook;
import io.sluice.storage.cleaner.LogCleanerManager;
import io.sluice.storage.segment.FlushTimer;
import io.sluice.storage.segment.MappingCache;
import io.sluice.storage.segment.SegmentEnvironment;
import io.sluice.storage.segment.SpaceReserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * All partition logs of a broker, over {@code log.dirs}. Owned by the broker process: it starts it
 * once and closes it at shutdown.
 *
 * <p>{@link #start} locks the dirs and opens every {@code <topic>-<partition>} directory found
 * ({@link LogDirLoader}: in parallel, each log recovered from its checkpointed recovery point); a
 * partition dir that cannot be opened is logged by name, listed in {@link #loadFailures()} and does
 * not stop the others. This class then owns the running logs: a background daemon thread runs retention
 * every {@code log.retention.check.interval.ms}, the flush.ms check every
 * {@code log.flush.scheduler.interval.ms}, and writes each dir's {@code recovery-point-offset-checkpoint}
 * and {@code log-start-offset-checkpoint}. An I/O error marks the dir offline: its logs answer
 * KAFKA_STORAGE_ERROR, listeners are told, the process stays up.
 *
 * <p>Thread-safe.
 */
public final class LogManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    /** Kafka's file of each log's first dirty offset, per log dir. */
    public static final String CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";
    public static final String LOCK_FILE = ".lock";
    /** Kafka's suffix for a partition dir scheduled for deletion. */
    public static final String DELETE_DIR_SUFFIX = "-delete";

    /** How long loading every log took at start (a metric). */
    private volatile long loadTimeMs;
    private final LogManagerConfig config;
    private final Clock clock;
    private final SegmentEnvironment env;
    private final Map<TopicPartitionId, MappedPartitionLog> logs = new ConcurrentHashMap<>();
    private final Map<TopicPartitionId, Path> logDirOf = new ConcurrentHashMap<>();
    private final Set<Path> offlineDirs = ConcurrentHashMap.newKeySet();
    /** Compact-only topics already warned about (see {@link #warnOnceIfKeptWhole}). */
    private final Set<String> keptWholeWarned = ConcurrentHashMap.newKeySet();
    private final Map<Path, String> loadFailures = new ConcurrentHashMap<>();
    private final List<Consumer<Path>> failureListeners = new CopyOnWriteArrayList<>();
    private final LogDirLocks dirLocks = new LogDirLocks();
    private final Object createLock = new Object();
    private ScheduledExecutorService scheduler;
    private LogCleanerManager cleaner;
    private volatile boolean closed;

    private LogManager(LogManagerConfig config, Clock clock, SegmentEnvironment env) {
        this.config = config;
        this.clock = clock;
        this.env = env;
    }

    /** Opens every log found in the dirs and starts the schedules. */
    public static LogManager start(LogManagerConfig config, Clock clock, Function<String, LogConfig> topicConfigs) {
        return start(config, clock, topicConfigs, SpaceReserver.detect());
    }

    /** As {@link #start(LogManagerConfig, Clock, Function)}, telling {@code flushTimer} each flush's fsync time. */
    public static LogManager start(LogManagerConfig config, Clock clock, Function<String, LogConfig> topicConfigs,
                                   FlushTimer flushTimer) {
        return start(config, clock, topicConfigs, SpaceReserver.detect(), flushTimer);
    }

    /** As {@link #start(LogManagerConfig, Clock, Function)} with a given reserver (fault-injection tests). */
    public static LogManager start(LogManagerConfig config, Clock clock, Function<String, LogConfig> topicConfigs,
                                   SpaceReserver reserver) {
        return start(config, clock, topicConfigs, reserver, FlushTimer.NONE);
    }

    private static LogManager start(LogManagerConfig config, Clock clock, Function<String, LogConfig> topicConfigs,
                                    SpaceReserver reserver, FlushTimer flushTimer) {
        SegmentEnvironment env = new SegmentEnvironment(new MappingCache(config.mappedSegmentsMax()), reserver,
                config.reserveStepBytesMin(), config.reserveStepBytesMax(), flushTimer);
        LogManager manager = new LogManager(config, clock, env);
        manager.loadAll(topicConfigs);
        manager.startCleaner(null);
        manager.startSchedules();
        return manager;
    }

    /**
     * A manager whose cleaner runs only when the caller says ({@link LogCleanerManager#runOnce}) and
     * tells {@code hook} its steps: for tests of the cleaner over real logs.
     */
    public static LogManager startWithManualCleaner(LogManagerConfig config, Clock clock,
                                                    Function<String, LogConfig> topicConfigs, CleaningHook hook) {
        LogManager manager = new LogManager(config, clock, new SegmentEnvironment(
                new MappingCache(config.mappedSegmentsMax()), SpaceReserver.detect(), config.reserveStepBytesMin(),
                config.reserveStepBytesMax()));
        manager.loadAll(topicConfigs);
        manager.startCleaner(hook);
        manager.startSchedules();
        return manager;
    }

    /**
     * The log cleaner over this manager's logs, its checkpoints read from each online dir's
     * {@code cleaner-offset-checkpoint}. Its threads start unless a test hook is given.
     */
    private void startCleaner(CleaningHook testHook) {
        Map<TopicPartitionId, Long> checkpointed = new HashMap<>();
        for (Path logDir : config.logDirs()) {
            if (offlineDirs.contains(logDir)) {
                continue;
            }
            OffsetCheckpoints.readOrEmpty(logDir.resolve(CLEANER_OFFSET_CHECKPOINT)).forEach((tp, offset) -> {
                if (logDir.equals(logDirOf.get(tp))) {
                    checkpointed.put(tp, offset);
                }
            });
        }
        cleaner = new LogCleanerManager(config.cleanerConfig(), logs::values, checkpointed,
                offsets -> {
                    writeCheckpoints(CLEANER_OFFSET_CHECKPOINT, log -> offsets.get(log.topicPartition()));
                    checkpointRecoveryPoints(); // a cleaning raises recovery points: cleaned segments are forced
                },
                clock, null, testHook == null ? CleaningHook.NONE : testHook);
        if (testHook == null) {
            cleaner.start();
        }
    }

    /** The log cleaner: its per-log state for operators, and the stable offset bound the broker sets. */
    public LogCleanerManager cleaner() {
        return cleaner;
    }

    private void loadAll(Function<String, LogConfig> topicConfigs) {
        long start = System.nanoTime();
        LogDirLoader.Loaded loaded = LogDirLoader.load(config, env, clock, topicConfigs, dirLocks, this::onLogFailure);
        logs.putAll(loaded.logs());
        logDirOf.putAll(loaded.logDirOf());
        offlineDirs.addAll(loaded.offlineDirs());
        loadFailures.putAll(loaded.failures());
        // Rewrite the checkpoints only if loading changed an offset (a cut tail lowers the recovery
        // point, which must be on disk before new appends pass the old one; a forced tail raises it);
        // a clean start saves fsyncs.
        if (loaded.offsetsChanged()) {
            checkpointAfterLoad();
        }
        loadTimeMs = (System.nanoTime() - start) / 1_000_000;
    }

    /** How long loading (and recovering) every log took at start. */
    public long loadTimeMs() {
        return loadTimeMs;
    }

    private void startSchedules() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-log-scheduler");
            t.setDaemon(true);
            return t;
        });
        schedule(this::runRetention, config.retentionCheckIntervalMs());
        schedule(this::runFlushSchedule, config.flushSchedulerIntervalMs());
        schedule(this::checkpointRecoveryPoints, config.flushRecoveryPointCheckpointIntervalMs());
        schedule(this::checkpointLogStartOffsets, config.flushStartOffsetCheckpointIntervalMs());
    }

    private void schedule(Runnable task, long intervalMs) {
        if (intervalMs >= Long.MAX_VALUE / 2) {
            return; // "never", Kafka's default for log.flush.scheduler.interval.ms
        }
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("log scheduler task failed", e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** The log of {@code tp}, created in the online dir with the fewest partitions if absent. */
    public PartitionLog getOrCreate(TopicPartitionId tp, LogConfig logConfig) {
        PartitionLog existing = logs.get(tp);
        if (existing != null) {
            return existing;
        }
        synchronized (createLock) {
            existing = logs.get(tp);
            if (existing != null) {
                return existing;
            }
            if (closed) {
                throw new StorageException("log manager is closed");
            }
            Path logDir = config.logDirs().stream().filter(d -> !offlineDirs.contains(d))
                    .min(Comparator.comparingLong(d -> logDirOf.values().stream().filter(d::equals).count()))
                    .orElseThrow(() -> new StorageException("no online log dir for " + tp + "; offline: " + offlineDirs));
            try {
                MappedPartitionLog log = LogLoader.load(logDir.resolve(tp.dirName()), tp, logConfig, env, clock, 0L, 0L,
                        this::onLogFailure);
                logDirOf.put(tp, logDir);
                logs.put(tp, log);
                LOG.info("created log {} in {}", tp, logDir);
                return log;
            } catch (IOException e) {
                markDirOffline(logDir, e);
                throw new StorageException("creating log " + tp + " in " + logDir + " failed", e);
            }
        }
    }

    public Optional<PartitionLog> get(TopicPartitionId tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    public Collection<PartitionLog> logs() {
        return List.copyOf(logs.values());
    }

    /** Closes the log and deletes its directory. @return false if there was no such log */
    public boolean delete(TopicPartitionId tp) {
        MappedPartitionLog log;
        Path logDir;
        synchronized (createLock) {
            log = logs.remove(tp);
            logDir = logDirOf.remove(tp);
        }
        if (log == null) {
            return false;
        }
        try {
            cleaner.abortAndForget(tp);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.markOffline(); // no flush: the data is going away
        log.close();
        try {
            Path target = log.dir().resolveSibling(tp.dirName() + "." + System.nanoTime() + DELETE_DIR_SUFFIX);
            Files.move(log.dir(), target);
            LogDirLoader.deleteRecursively(target);
        } catch (IOException e) {
            markDirOffline(logDir, e);
            throw new StorageException("deleting log " + tp + " failed", e);
        }
        LOG.info("deleted log {}", tp);
        checkpoint();
        return true;
    }

    /** The configured log dirs ({@code log.dirs}), online or not. */
    public List<Path> logDirs() {
        return config.logDirs();
    }

    /** Log dirs taken offline by an I/O error. */
    public Set<Path> offlineLogDirs() {
        return Set.copyOf(offlineDirs);
    }

    /** Partition dirs that could not be opened at start: dir path to reason. */
    public Map<Path, String> loadFailures() {
        return Map.copyOf(loadFailures);
    }

    /** Called (on the failing thread) with the log dir an I/O error took offline. */
    public void addLogDirFailureListener(Consumer<Path> listener) {
        failureListeners.add(listener);
    }

    /**
     * Disk space reserved ahead of the writers in the logs' active segments and not written yet
     * (reserved before it is mapped, so a full disk fails an append instead of a write to a mapping).
     */
    public long reservedAheadBytes() {
        long bytes = 0;
        for (MappedPartitionLog log : logs.values()) {
            bytes += log.reservedAheadBytes();
        }
        return bytes;
    }

    /** Bound on open segment mappings, shared by all logs. */
    public MappingCache mappingCache() {
        return env.mappingCache();
    }

    private void onLogFailure(MappedPartitionLog log, IOException e) {
        Path logDir = logDirOf.get(log.topicPartition());
        if (logDir != null) {
            markDirOffline(logDir, e);
        }
    }

    private void markDirOffline(Path logDir, IOException cause) {
        if (!offlineDirs.add(logDir)) {
            return;
        }
        LOG.error("log dir {} is offline after an I/O error: {}", logDir, cause.toString());
        logDirOf.forEach((tp, d) -> {
            if (d.equals(logDir)) {
                MappedPartitionLog l = logs.get(tp);
                if (l != null) {
                    l.markOffline();
                }
            }
        });
        for (Consumer<Path> listener : failureListeners) {
            listener.accept(logDir);
        }
    }

    /** One retention pass over every log (also run by the schedule). */
    public void runRetention() {
        long now = clock.millis();
        for (MappedPartitionLog log : logs.values()) {
            warnOnceIfKeptWhole(log);
            log.deleteOldSegments(now);
        }
    }

    /**
     * A compact-only topic is never deleted by retention; with the log cleaner off it grows unless its
     * owner deletes records: say so once per topic, not once per partition and pass.
     */
    private void warnOnceIfKeptWhole(MappedPartitionLog log) {
        if (log.config().keptWhole() && !cleaner.isEnabled() && keptWholeWarned.add(log.topicPartition().topic())) {
            LOG.warn("Topic {} has cleanup.policy=compact but the log cleaner is off ({}=false or {}=0), so its logs "
                    + "are kept whole: never compacted, nor deleted by retention.ms or retention.bytes (as in Kafka)",
                    log.topicPartition().topic(), CleanerConfig.LOG_CLEANER_ENABLE, CleanerConfig.LOG_CLEANER_THREADS);
        }
    }

    /** One flush.ms pass over every log (also run by the schedule). */
    public void runFlushSchedule() {
        long now = clock.millis();
        for (MappedPartitionLog log : logs.values()) {
            log.flushIfDue(now);
        }
    }

    /** Writes recovery-point and log-start-offset checkpoints of every online dir. */
    public void checkpoint() {
        checkpointRecoveryPoints();
        checkpointLogStartOffsets();
    }

    private void checkpointRecoveryPoints() {
        writeCheckpoints(RECOVERY_POINT_CHECKPOINT, PartitionLog::recoveryPoint);
    }

    private void checkpointLogStartOffsets() {
        writeCheckpoints(LOG_START_OFFSET_CHECKPOINT, PartitionLog::logStartOffset);
    }

    /**
     * As {@link #checkpoint}, but a dir whose files cannot be written (a full disk) stays online and
     * its logs stay readable: the older files name lower recovery points, which only means more is
     * re-validated at the next start, and log start offsets that this load will clamp the same way.
     */
    private void checkpointAfterLoad() {
        BiConsumer<Path, IOException> keepOlder = (dir, e) ->
                LOG.warn("log dir {}: checkpoints not rewritten after loading, the older files stay: {}",
                        dir, e.toString());
        writeCheckpoints(RECOVERY_POINT_CHECKPOINT, PartitionLog::recoveryPoint, keepOlder);
        writeCheckpoints(LOG_START_OFFSET_CHECKPOINT, PartitionLog::logStartOffset, keepOlder);
    }

    private void writeCheckpoints(String fileName, Function<PartitionLog, Long> value) {
        writeCheckpoints(fileName, value, this::markDirOffline);
    }

    private synchronized void writeCheckpoints(String fileName, Function<PartitionLog, Long> value,
                                               BiConsumer<Path, IOException> onFailure) {
        for (Path logDir : config.logDirs()) {
            if (offlineDirs.contains(logDir)) {
                continue;
            }
            Map<TopicPartitionId, Long> offsets = new HashMap<>();
            logDirOf.forEach((tp, d) -> {
                MappedPartitionLog log = logs.get(tp);
                Long v = d.equals(logDir) && log != null && !log.isOffline() ? value.apply(log) : null;
                if (v != null) {
                    offsets.put(tp, v);
                }
            });
            try {
                OffsetCheckpoints.write(logDir.resolve(fileName), offsets);
            } catch (IOException e) {
                onFailure.accept(logDir, e);
            }
        }
    }

    /** Stops the schedules, flushes and closes every log, writes the checkpoints, unlocks the dirs. */
    @Override
    public void close() {
        synchronized (createLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        shutDown(MappedPartitionLog::close, true);
    }

    /**
     * Simulates a process crash, for fault-injection tests and recovery benchmarks: no flush, no index
     * write, no checkpoint, no trim; releases mappings, files, threads and dir locks, leaving the
     * files as the page cache holds them. Not for production shutdown: use {@link #close()}.
     */
    public void crash() {
        closed = true;
        shutDown(MappedPartitionLog::crashClose, false);
    }

    /** What close and crash share: the cleaner and schedules stop, each log is closed its way, the dirs are unlocked. */
    private void shutDown(Consumer<MappedPartitionLog> closeLog, boolean writeCheckpoints) {
        if (cleaner != null) {
            cleaner.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        logs.values().forEach(closeLog);
        if (writeCheckpoints) {
            checkpoint();
        }
        dirLocks.releaseAll();
        logs.clear();
        logDirOf.clear();
    }
}
