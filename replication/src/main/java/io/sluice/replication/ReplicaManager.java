package io.sluice.replication;

import io.sluice.metadata.image.MetadataDelta;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.PartitionLog;
import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker leads, kept in step with the metadata image: a partition whose leader
 * is this node gets its log opened (or created) and its producer state loaded; a deleted topic's
 * logs are deleted. Metadata changes arrive on the quorum's apply thread and are handed to one
 * "partition-state" thread here, so the quorum never waits for disk work.
 *
 * <p>Followers come with the replication module: today a partition is led here or absent.
 * Thread-safe: lookups are lock-free map reads; changes happen on the partition-state thread.
 */
public final class ReplicaManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    private final int nodeId;
    private final LogManager logs;
    private final BiFunction<MetadataImage, TopicImage, LogConfig> logConfigs;
    private final long producerIdExpirationMs;
    private final Clock clock;
    private final Map<TopicPartitionId, Partition> partitions = new ConcurrentHashMap<>();
    private final ExecutorService stateThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-partition-state");
        t.setDaemon(true);
        return t;
    });
    private volatile long appliedOffset = -1;

    /**
     * @param logConfigs a topic's log config in the given image (the broker applies Kafka's
     *                   precedence: topic configs, dynamic broker configs, server.properties)
     */
    public ReplicaManager(int nodeId, LogManager logs, BiFunction<MetadataImage, TopicImage, LogConfig> logConfigs,
                          long producerIdExpirationMs, Clock clock) {
        this.producerIdExpirationMs = producerIdExpirationMs;
        this.clock = clock;
        this.nodeId = nodeId;
        this.logs = logs;
        this.logConfigs = logConfigs;
    }

    /** The partition if led here, else null. */
    public Partition partition(String topic, int partition) {
        if (!TopicPartitionId.isValidTopicName(topic) || partition < 0) {
            return null;
        }
        return partitions.get(new TopicPartitionId(topic, partition));
    }

    public Iterable<Partition> partitions() {
        return partitions.values();
    }

    /** Offset of the last metadata image applied to the partitions. */
    public long appliedOffset() {
        return appliedOffset;
    }

    /** Hands an applied metadata change to the partition-state thread. */
    public void onMetadata(MetadataImage image, MetadataDelta delta) {
        stateThread.execute(() -> {
            try {
                if (delta == null || delta.imageReplaced()) {
                    resync(image);
                } else {
                    apply(image, delta);
                }
                appliedOffset = image.offset();
            } catch (RuntimeException e) {
                LOG.error("Applying metadata offset {} to partitions failed", image.offset(), e);
            }
        });
    }

    /** Runs {@code task} on the partition-state thread after everything handed over so far. */
    public void afterPendingChanges(Runnable task) {
        stateThread.execute(task);
    }

    private void resync(MetadataImage image) {
        Set<TopicPartitionId> wanted = new HashSet<>();
        for (TopicImage topic : image.topics()) {
            for (PartitionImage p : topic.partitions()) {
                if (p.leader() == nodeId) {
                    TopicPartitionId tp = new TopicPartitionId(topic.name(), p.partitionId());
                    wanted.add(tp);
                    ensureLeader(image, topic, tp, p);
                }
            }
        }
        for (TopicPartitionId tp : Set.copyOf(partitions.keySet())) {
            if (!wanted.contains(tp)) {
                partitions.remove(tp);
            }
        }
        for (PartitionLog log : logs.logs()) {
            TopicImage t = image.topic(log.topicPartition().topic());
            if (t == null || t.partition(log.topicPartition().partition()) == null) {
                LOG.warn("Log {} belongs to no topic in the metadata; left on disk untouched", log.dir());
            }
        }
    }

    private void apply(MetadataImage image, MetadataDelta delta) {
        for (TopicImage deleted : delta.deletedTopics()) {
            for (PartitionImage p : deleted.partitions()) {
                TopicPartitionId tp = new TopicPartitionId(deleted.name(), p.partitionId());
                partitions.remove(tp);
                if (logs.delete(tp)) {
                    LOG.info("Deleted log of {}", tp);
                }
            }
        }
        for (MetadataDelta.PartitionChange change : delta.changedPartitions()) {
            TopicImage topic = image.topic(change.topicId());
            if (topic == null) {
                continue;
            }
            TopicPartitionId tp = new TopicPartitionId(topic.name(), change.after().partitionId());
            if (change.after().leader() == nodeId) {
                ensureLeader(image, topic, tp, change.after());
            } else if (partitions.remove(tp) != null) {
                LOG.info("No longer leader of {} (leader now {})", tp, change.after().leader());
            }
        }
        if (delta.configsChanged()) {
            for (Partition p : partitions.values()) {
                TopicImage t = image.topic(p.topic());
                if (t != null) {
                    p.log().updateConfig(logConfigs.apply(image, t));
                }
            }
        }
    }

    private void ensureLeader(MetadataImage metadata, TopicImage topic, TopicPartitionId tp, PartitionImage image) {
        Partition existing = partitions.get(tp);
        if (existing != null && existing.topicId().equals(topic.topicId())) {
            existing.becomeLeader(image.leaderEpoch());
            return;
        }
        LogConfig config = logConfigs.apply(metadata, topic);
        PartitionLog log = logs.getOrCreate(tp, config);
        log.updateConfig(config);
        Partition p = new Partition(tp, topic.topicId(), log, ReplicaSet.single(), image.leaderEpoch());
        p.becomeLeader(image.leaderEpoch());
        p.loadProducerState(clock.millis(), producerIdExpirationMs);
        partitions.put(tp, p);
        LOG.debug("Leading {} at epoch {} (log end offset {})", tp, image.leaderEpoch(), log.logEndOffset());
    }

    @Override
    public void close() {
        stateThread.shutdown();
        try {
            stateThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        partitions.clear();
    }
}
