package io.sluice.storage.log;

import io.sluice.storage.StorageException;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.segment.MappingCache;
import io.sluice.storage.segment.SegmentEnvironment;
import io.sluice.storage.segment.SpaceReserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * All partition logs of a broker, over {@code log.dirs}. Owned by the broker process: it starts it
 * once and closes it at shutdown.
 *
 * <p>{@link #start} opens every {@code <topic>-<partition>} directory found (in parallel, with
 * {@code num.recovery.threads.per.data.dir} threads per dir), recovering each log from its
 * checkpointed recovery point; a partition dir that cannot be opened is logged by name, listed in
 * {@link #loadFailures()} and does not stop the others. A background daemon thread runs retention
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
    public static final String LOCK_FILE = ".lock";
    /** Kafka's suffix for a partition dir scheduled for deletion. */
    public static final String DELETE_DIR_SUFFIX = "-delete";

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
    private final Map<Path, FileLock> dirLocks = new HashMap<>();
    private final Object createLock = new Object();
    private ScheduledExecutorService scheduler;
    private volatile boolean checkpointStale;
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

    /** As {@link #start(LogManagerConfig, Clock, Function)} with a given reserver (fault-injection tests). */
    public static LogManager start(LogManagerConfig config, Clock clock, Function<String, LogConfig> topicConfigs,
                                   SpaceReserver reserver) {
        SegmentEnvironment env = new SegmentEnvironment(new MappingCache(config.mappedSegmentsMax()), reserver,
                config.reserveStepBytesMin(), config.reserveStepBytesMax());
        LogManager manager = new LogManager(config, clock, env);
        manager.loadAll(topicConfigs);
        manager.startSchedules();
        return manager;
    }

    private void loadAll(Function<String, LogConfig> topicConfigs) {
        List<Path> partitionDirs = new ArrayList<>();
        Map<Path, Map<TopicPartitionId, Long>> recoveryPoints = new HashMap<>();
        Map<Path, Map<TopicPartitionId, Long>> startOffsets = new HashMap<>();
        for (Path logDir : config.logDirs()) {
            try {
                Files.createDirectories(logDir);
                lockDir(logDir);
                recoveryPoints.put(logDir, OffsetCheckpoints.readOrEmpty(logDir.resolve(RECOVERY_POINT_CHECKPOINT)));
                startOffsets.put(logDir, OffsetCheckpoints.readOrEmpty(logDir.resolve(LOG_START_OFFSET_CHECKPOINT)));
                try (DirectoryStream<Path> children = Files.newDirectoryStream(logDir, Files::isDirectory)) {
                    for (Path child : children) {
                        if (child.getFileName().toString().endsWith(DELETE_DIR_SUFFIX)) {
                            deleteRecursively(child);
                        } else {
                            partitionDirs.add(child);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("log dir {} cannot be used, it is offline: {}", logDir, e.toString());
                offlineDirs.add(logDir);
            }
        }
        int threads = Math.max(1, Math.min(partitionDirs.size(),
                config.recoveryThreadsPerDataDir() * config.logDirs().size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sluice-log-recovery");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Path partitionDir : partitionDirs) {
                futures.add(pool.submit(() -> loadOne(partitionDir, topicConfigs, recoveryPoints, startOffsets)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (Exception e) {
            throw new StorageException("loading logs failed", e);
        } finally {
            pool.shutdownNow();
        }
        LOG.info("opened {} log(s) in {}; {} failed", logs.size(), config.logDirs(), loadFailures.size());
        // Rewrite the checkpoints only if loading changed an offset (a cut tail lowers the recovery
        // point, which must be on disk before new appends pass the old one; a forced tail raises it);
        // a clean start saves fsyncs.
        if (checkpointStale) {
            checkpointAfterLoad();
        }
    }

    private void loadOne(Path partitionDir, Function<String, LogConfig> topicConfigs,
                         Map<Path, Map<TopicPartitionId, Long>> recoveryPoints,
                         Map<Path, Map<TopicPartitionId, Long>> startOffsets) {
        Path logDir = partitionDir.getParent();
        try {
            TopicPartitionId tp = TopicPartitionId.parseDirName(partitionDir.getFileName().toString());
            LogConfig cfg = Optional.ofNullable(topicConfigs.apply(tp.topic())).orElse(config.defaultLogConfig());
            long rp = recoveryPoints.getOrDefault(logDir, Map.of()).getOrDefault(tp, 0L);
            long lso = startOffsets.getOrDefault(logDir, Map.of()).getOrDefault(tp, 0L);
            MappedPartitionLog log = LogLoader.load(partitionDir, tp, cfg, env, clock, rp, lso, this::onLogFailure);
            if (log.recoveryPoint() != rp || log.logStartOffset() != lso) {
                checkpointStale = true;
            }
            if (logs.putIfAbsent(tp, log) != null) {
                log.close();
                throw new IOException("duplicate log for " + tp + " (also in " + logDirOf.get(tp) + ")");
            }
            logDirOf.put(tp, logDir);
        } catch (IOException | RuntimeException e) {
            LOG.error("partition dir {} cannot be opened; skipping it: {}", partitionDir, e.toString());
            loadFailures.put(partitionDir, e.toString());
        }
    }

    private void lockDir(Path logDir) throws IOException {
        FileChannel ch = FileChannel.open(logDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            ch.close();
            throw new IOException("log dir " + logDir + " is locked by another process");
        }
        dirLocks.put(logDir, lock);
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
        log.markOffline(); // no flush: the data is going away
        log.close();
        try {
            Path target = log.dir().resolveSibling(tp.dirName() + "." + System.nanoTime() + DELETE_DIR_SUFFIX);
            Files.move(log.dir(), target);
            deleteRecursively(target);
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
     * A compact-only topic is never deleted by retention, and Sluice has no log cleaner yet, so it
     * grows unless its owner deletes records: say so once per topic, not once per partition and pass.
     */
    private void warnOnceIfKeptWhole(MappedPartitionLog log) {
        if (log.config().keptWhole() && keptWholeWarned.add(log.topicPartition().topic())) {
            LOG.warn("Topic {} has cleanup.policy=compact: Sluice does not compact yet, so its logs are kept whole: "
                    + "never deleted by retention.ms or retention.bytes (as in Kafka), only below a log start offset "
                    + "moved by DeleteRecords", log.topicPartition().topic());
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
                if (d.equals(logDir) && log != null && !log.isOffline()) {
                    offsets.put(tp, value.apply(log));
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
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (MappedPartitionLog log : logs.values()) {
            log.close();
        }
        checkpoint();
        for (FileLock lock : dirLocks.values()) {
            try {
                lock.release();
                lock.channel().close();
            } catch (IOException e) {
                LOG.warn("releasing log dir lock failed: {}", e.toString());
            }
        }
        logs.clear();
        logDirOf.clear();
    }

    /**
     * Simulates a process crash, for fault-injection tests and recovery benchmarks: no flush, no index
     * write, no checkpoint, no trim; releases mappings, files, threads and dir locks, leaving the
     * files as the page cache holds them. Not for production shutdown: use {@link #close()}.
     */
    public void crash() {
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        logs.values().forEach(MappedPartitionLog::crashClose);
        for (FileLock lock : dirLocks.values()) {
            try {
                lock.release();
                lock.channel().close();
            } catch (IOException e) {
                LOG.warn("releasing log dir lock failed: {}", e.toString());
            }
        }
        logs.clear();
        logDirOf.clear();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
