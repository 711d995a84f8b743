package io.sluice.replication;

import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.OffsetCheckpoints;
import io.sluice.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each log dir's {@code replication-offset-checkpoint}: the high watermark of every partition whose
 * log is in that dir, in Kafka's file name and text format ({@link OffsetCheckpoints}), so a
 * restarted replica exposes what was committed before without waiting for its ISR or its leader.
 *
 * <p>Read once at start. Entries whose log is on disk but held by no partition replica here (not
 * yet created from the metadata, or stopped) are carried into every write, so a slow start does not
 * drop them; a deleted log's entry drops out. A file that cannot be read is logged and ignored: its
 * partitions start at their log start offset, which only delays what consumers see. Owned by the
 * {@link ReplicaManager}; thread-safe, writes serialised.
 */
final class HighWatermarkCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(HighWatermarkCheckpoints.class);

    /** Kafka's name, so operators find it where they expect it. */
    static final String FILE_NAME = "replication-offset-checkpoint";
    static final long NONE = -1;

    private final LogManager logs;
    /** High watermarks of logs on disk that no partition replica here holds. */
    private final Map<TopicPartitionId, Long> unheld = new ConcurrentHashMap<>();

    private HighWatermarkCheckpoints(LogManager logs) {
        this.logs = logs;
    }

    /** Reads the file of every online log dir, keeping the entries whose log is in that dir. */
    static HighWatermarkCheckpoints load(LogManager logs) {
        HighWatermarkCheckpoints checkpoints = new HighWatermarkCheckpoints(logs);
        for (Path dir : logs.logDirs()) {
            if (logs.offlineLogDirs().contains(dir)) {
                continue;
            }
            Path file = dir.resolve(FILE_NAME);
            Map<TopicPartitionId, Long> read;
            try {
                read = OffsetCheckpoints.read(file);
            } catch (IOException e) {
                LOG.warn("Ignoring unreadable high-watermark checkpoint {}: {}; its partitions start with the high "
                        + "watermark at their log start offset until their ISR or leader confirms more", file, e.toString());
                continue;
            }
            read.forEach((tp, hw) -> logs.get(tp).filter(log -> dir.equals(log.dir().getParent()))
                    .ifPresent(log -> checkpoints.unheld.put(tp, hw)));
        }
        return checkpoints;
    }

    /** The checkpointed high watermark of {@code tp}'s log while no replica holds it, else {@link #NONE}. */
    long checkpointed(TopicPartitionId tp) {
        return unheld.getOrDefault(tp, NONE);
    }

    /** A replica now holds {@code tp} and reports its own high watermark (call after it is registered). */
    void held(TopicPartitionId tp) {
        unheld.remove(tp);
    }

    /** The replica of {@code tp} stops while its log stays (call before it is unregistered). */
    void released(TopicPartitionId tp, long highWatermark) {
        unheld.put(tp, highWatermark);
    }

    /** {@code tp}'s log was deleted. */
    void forget(TopicPartitionId tp) {
        unheld.remove(tp);
    }

    /**
     * Rewrites the file of every online log dir from the logs it holds: a held partition's current
     * high watermark, else the carried one. A failed write is logged and leaves the older file, whose
     * lower values only delay exposure after a restart; the next write tries again. Does I/O: call it
     * holding no partition lock.
     *
     * @param held the replica holding a partition here (null for none)
     */
    synchronized void write(Function<TopicPartitionId, Partition> held) {
        Map<Path, Map<TopicPartitionId, Long>> byDir = new HashMap<>();
        for (Path dir : logs.logDirs()) {
            if (!logs.offlineLogDirs().contains(dir)) {
                byDir.put(dir, new HashMap<>());
            }
        }
        for (PartitionLog log : logs.logs()) {
            Map<TopicPartitionId, Long> entries = byDir.get(log.dir().getParent());
            if (entries == null || log.isOffline()) {
                continue;
            }
            TopicPartitionId tp = log.topicPartition();
            // The replica first, then the carried value: a replica is registered before its carried
            // value goes and unregistered after it comes back, so a concurrent change never hides both.
            Partition p = held.apply(tp);
            Long carried = unheld.get(tp);
            if (p != null && p.log() == log) {
                entries.put(tp, p.highWatermark());
            } else if (carried != null) {
                entries.put(tp, carried);
            }
        }
        byDir.forEach((dir, entries) -> {
            Path file = dir.resolve(FILE_NAME);
            try {
                OffsetCheckpoints.write(file, entries);
            } catch (IOException e) {
                LOG.error("Writing high-watermark checkpoint {} failed; the older file stays: {}", file, e.toString());
            }
        });
    }
}
