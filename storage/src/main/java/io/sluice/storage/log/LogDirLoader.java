package io.sluice.storage.log;

import io.sluice.storage.StorageException;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.segment.SegmentEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A {@link LogManager}'s start: creates and locks each log dir, reads its recovery-point and
 * log-start-offset checkpoints, deletes the partition dirs marked for deletion, then opens every
 * {@code <topic>-<partition>} dir in parallel ({@code num.recovery.threads.per.data.dir} threads per
 * dir), each recovered from its checkpointed recovery point ({@link LogLoader}). A log dir that
 * cannot be used is offline; a partition dir that cannot be opened is logged by name, listed in
 * the failures and does not stop the others.
 *
 * <p>One use, on the starting thread; the pool's threads only open partition dirs.
 */
final class LogDirLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LogDirLoader.class);

    /**
     * What the start found.
     *
     * @param offsetsChanged loading moved a recovery point or log start offset, so the checkpoints
     *                       must be rewritten before new appends pass the old values
     */
    record Loaded(Map<TopicPartitionId, MappedPartitionLog> logs, Map<TopicPartitionId, Path> logDirOf,
                  Set<Path> offlineDirs, Map<Path, String> failures, boolean offsetsChanged) {
    }

    private final LogManagerConfig config;
    private final SegmentEnvironment env;
    private final Clock clock;
    private final Function<String, LogConfig> topicConfigs;
    private final BiConsumer<MappedPartitionLog, IOException> failureHandler;

    private final Map<TopicPartitionId, MappedPartitionLog> logs = new ConcurrentHashMap<>();
    private final Map<TopicPartitionId, Path> logDirOf = new ConcurrentHashMap<>();
    private final Set<Path> offlineDirs = ConcurrentHashMap.newKeySet();
    private final Map<Path, String> failures = new ConcurrentHashMap<>();
    private final Map<Path, Map<TopicPartitionId, Long>> recoveryPoints = new HashMap<>();
    private final Map<Path, Map<TopicPartitionId, Long>> startOffsets = new HashMap<>();
    private volatile boolean offsetsChanged;

    private LogDirLoader(LogManagerConfig config, SegmentEnvironment env, Clock clock,
                         Function<String, LogConfig> topicConfigs,
                         BiConsumer<MappedPartitionLog, IOException> failureHandler) {
        this.config = config;
        this.env = env;
        this.clock = clock;
        this.topicConfigs = topicConfigs;
        this.failureHandler = failureHandler;
    }

    /** Locks the dirs (into {@code locks}) and opens every log in them. */
    static Loaded load(LogManagerConfig config, SegmentEnvironment env, Clock clock,
                       Function<String, LogConfig> topicConfigs, LogDirLocks locks,
                       BiConsumer<MappedPartitionLog, IOException> failureHandler) {
        LogDirLoader loader = new LogDirLoader(config, env, clock, topicConfigs, failureHandler);
        loader.openAll(loader.prepareDirs(locks));
        return new Loaded(loader.logs, loader.logDirOf, loader.offlineDirs, loader.failures, loader.offsetsChanged);
    }

    /** Creates, locks and reads each log dir; returns the partition dirs found. */
    private List<Path> prepareDirs(LogDirLocks locks) {
        List<Path> partitionDirs = new ArrayList<>();
        for (Path logDir : config.logDirs()) {
            try {
                Files.createDirectories(logDir);
                locks.lock(logDir);
                recoveryPoints.put(logDir, OffsetCheckpoints.readOrEmpty(logDir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)));
                startOffsets.put(logDir, OffsetCheckpoints.readOrEmpty(logDir.resolve(LogManager.LOG_START_OFFSET_CHECKPOINT)));
                try (DirectoryStream<Path> children = Files.newDirectoryStream(logDir, Files::isDirectory)) {
                    for (Path child : children) {
                        if (child.getFileName().toString().endsWith(LogManager.DELETE_DIR_SUFFIX)) {
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
        return partitionDirs;
    }

    private void openAll(List<Path> partitionDirs) {
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
                futures.add(pool.submit(() -> openOne(partitionDir)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (Exception e) {
            throw new StorageException("loading logs failed", e);
        } finally {
            pool.shutdownNow();
        }
        LOG.info("opened {} log(s) in {}; {} failed", logs.size(), config.logDirs(), failures.size());
    }

    private void openOne(Path partitionDir) {
        Path logDir = partitionDir.getParent();
        try {
            TopicPartitionId tp = TopicPartitionId.parseDirName(partitionDir.getFileName().toString());
            LogConfig cfg = Optional.ofNullable(topicConfigs.apply(tp.topic())).orElse(config.defaultLogConfig());
            long rp = recoveryPoints.getOrDefault(logDir, Map.of()).getOrDefault(tp, 0L);
            long lso = startOffsets.getOrDefault(logDir, Map.of()).getOrDefault(tp, 0L);
            MappedPartitionLog log = LogLoader.load(partitionDir, tp, cfg, env, clock, rp, lso, failureHandler);
            if (log.recoveryPoint() != rp || log.logStartOffset() != lso) {
                offsetsChanged = true;
            }
            if (logs.putIfAbsent(tp, log) != null) {
                log.close();
                throw new IOException("duplicate log for " + tp + " (also in " + logDirOf.get(tp) + ")");
            }
            logDirOf.put(tp, logDir);
        } catch (IOException | RuntimeException e) {
            LOG.error("partition dir {} cannot be opened; skipping it: {}", partitionDir, e.toString());
            failures.put(partitionDir, e.toString());
        }
    }

    /** Deletes {@code dir} and everything under it (a partition dir marked for deletion). */
    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
