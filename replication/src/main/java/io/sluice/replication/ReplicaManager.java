package io.sluice.replication;

import io.sluice.metadata.client.MetadataClient;
import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.image.MetadataDelta;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.replication.fetcher.FollowerReplica;
import io.sluice.replication.role.FollowerRole;
import io.sluice.replication.role.LeaderRole;
import io.sluice.replication.selector.ReplicaSelector;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.PartitionLog;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition replicas this broker holds, kept in step with the metadata image: a partition
 * with this node among its replicas gets its log opened (or created) and becomes a leader or a
 * follower as the image says; a deleted topic's logs are deleted. Metadata changes arrive on the
 * quorum's apply thread and are handed to one "partition-state" thread here, so the quorum never
 * waits for disk work and role changes of a partition never race each other.
 *
 * <p>As leader it keeps the ISR honest: followers that caught up are added on their fetch, members
 * that lag {@code replica.lag.time.max.ms} are dropped by a periodic check, both through the quorum
 * (AlterPartition, guarded by the leader and partition epochs). Handlers reach partitions only
 * through {@link #leader} (the partition led here at an epoch, or the Kafka error), and consumer
 * fetches that may read from followers through {@link #replica} and {@link #preferredReadReplica}
 * (KIP-392). Thread-safe.
 *
 * <p>It is past the house's ~400 lines because the metadata-to-role transitions (become leader,
 * become follower, stop, delete) and the ISR check read the same per-partition map under the same
 * thread rule; split, each half would need the other's map and thread.
 */
public final class ReplicaManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    /** Starts and stops follower fetching (the replica fetcher manager). */
    public interface FollowerFetching {
        void follow(FollowerReplica replica, int leaderId);

        /** Returns once no fetch for the partition is in progress. */
        void unfollow(TopicPartitionId tp);
    }

    /** The partition led here at the asked epoch, or the error to answer with. */
    public record Lookup(Partition partition, short errorCode) {
        public boolean found() {
            return errorCode == ErrorCode.NONE;
        }
    }

    /**
     * @param replicaLagTimeMaxMs    {@code replica.lag.time.max.ms}: an ISR member not caught up that long is dropped
     * @param producerIdExpirationMs {@code producer.id.expiration.ms}: how far back producer state is rebuilt
     * @param replicaSelector        {@code replica.selector.class}'s selector; null: consumers read from the leader
     * @param highWatermarkCheckpointIntervalMs {@code replica.high.watermark.checkpoint.interval.ms}: how often
     *                               each log dir's {@code replication-offset-checkpoint} is rewritten
     */
    public record Settings(int nodeId, long replicaLagTimeMaxMs, long producerIdExpirationMs,
                           ReplicaSelector replicaSelector, long highWatermarkCheckpointIntervalMs) {
        /** Kafka's default for {@code replica.high.watermark.checkpoint.interval.ms}. */
        public static final long HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS_DEFAULT = 5000;

        public Settings {
            if (highWatermarkCheckpointIntervalMs < 1) {
                throw new IllegalArgumentException("highWatermarkCheckpointIntervalMs must be >= 1: "
                        + highWatermarkCheckpointIntervalMs);
            }
        }

        public Settings(int nodeId, long replicaLagTimeMaxMs, long producerIdExpirationMs,
                        ReplicaSelector replicaSelector) {
            this(nodeId, replicaLagTimeMaxMs, producerIdExpirationMs, replicaSelector,
                    HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS_DEFAULT);
        }
    }

    private final LongAdder isrShrinks = new LongAdder();
    private final LongAdder isrExpands = new LongAdder();
    private final Settings settings;
    private final LogManager logs;
    private final MetadataClient metadata;
    private final LongSupplier brokerEpoch;
    private final BiFunction<MetadataImage, TopicImage, LogConfig> logConfigs;
    private final ToIntFunction<TopicImage> minInsyncReplicas;
    private final FollowerFetching fetching;
    private final Clock clock;
    /** Null without a {@code replica.selector.class}: every consumer reads from the leader. */
    private final ReadReplicaChooser readReplicas;
    private final Map<TopicPartitionId, Partition> partitions = new ConcurrentHashMap<>();
    private final ExecutorService stateThread = Executors.newSingleThreadExecutor(r -> daemon(r, "sluice-partition-state"));
    /** acks=all deadlines and the ISR shrink check. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "sluice-replica-timer"));
    private final HighWatermarkCheckpoints checkpoints;
    /** Its own thread: an fsync must not hold up acks=all deadlines on the timer. */
    private final ScheduledExecutorService checkpointThread = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "sluice-hw-checkpoint"));
    private volatile long appliedOffset = -1;

    /**
     * @param logConfigs        a topic's log config in the given image (Kafka's precedence, applied by the broker)
     * @param minInsyncReplicas a topic's min.insync.replicas (its config, else the broker's)
     */
    public ReplicaManager(Settings settings, LogManager logs, MetadataClient metadata, LongSupplier brokerEpoch,
                          BiFunction<MetadataImage, TopicImage, LogConfig> logConfigs,
                          ToIntFunction<TopicImage> minInsyncReplicas, FollowerFetching fetching, Clock clock) {
        this.settings = settings;
        this.logs = logs;
        this.metadata = metadata;
        this.brokerEpoch = brokerEpoch;
        this.logConfigs = logConfigs;
        this.minInsyncReplicas = minInsyncReplicas;
        this.fetching = fetching;
        this.clock = clock;
        this.readReplicas = settings.replicaSelector() == null ? null
                : new ReadReplicaChooser(settings.nodeId(), settings.replicaSelector(), metadata::image, clock::millis);
        long checkMs = Math.max(1, settings.replicaLagTimeMaxMs() / 2);
        timer.scheduleWithFixedDelay(this::shrinkLaggingIsrs, checkMs, checkMs, TimeUnit.MILLISECONDS);
        this.checkpoints = HighWatermarkCheckpoints.load(logs);
        long intervalMs = settings.highWatermarkCheckpointIntervalMs();
        checkpointThread.scheduleWithFixedDelay(this::checkpointHighWatermarks, intervalMs, intervalMs,
                TimeUnit.MILLISECONDS);
    }

    /** Rewrites every log dir's {@code replication-offset-checkpoint} (also run on the interval and at close). */
    public void checkpointHighWatermarks() {
        try {
            checkpoints.write(partitions::get);
        } catch (RuntimeException e) {
            LOG.error("High-watermark checkpoint failed", e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The logs of this broker (their cleaner is reconfigured by dynamic broker configs). */
    public LogManager logs() {
        return logs;
    }

    /** The replica of a partition held here (leader or follower), else null. */
    public Partition partition(String topic, int partition) {
        if (!TopicPartitionId.isValidTopicName(topic) || partition < 0) {
            return null;
        }
        return partitions.get(new TopicPartitionId(topic, partition));
    }

    /**
     * The partition this broker leads, checked against the requester's {@code currentLeaderEpoch}
     * (-1: not checked): NOT_LEADER_OR_FOLLOWER when not led here, FENCED_LEADER_EPOCH when the
     * requester's epoch is older, UNKNOWN_LEADER_EPOCH when it is newer than this broker knows.
     */
    public Lookup leader(String topic, int partition, int currentLeaderEpoch) {
        Partition p = partition(topic, partition);
        if (p == null || !p.isLeader()) {
            return new Lookup(null, ErrorCode.NOT_LEADER_OR_FOLLOWER);
        }
        return checkEpoch(p, currentLeaderEpoch);
    }

    private static Lookup checkEpoch(Partition p, int currentLeaderEpoch) {
        int epoch = p.leaderEpoch();
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch < epoch) {
            return new Lookup(null, ErrorCode.FENCED_LEADER_EPOCH);
        }
        if (currentLeaderEpoch > epoch) {
            return new Lookup(null, ErrorCode.UNKNOWN_LEADER_EPOCH);
        }
        return new Lookup(p, ErrorCode.NONE);
    }

    /**
     * A replica of the partition held here, leader or follower, for a consumer that may read from
     * followers (KIP-392: Fetch v11+). The same errors as {@link #leader}, with NOT_LEADER_OR_FOLLOWER
     * only when this broker holds no replica of it.
     */
    public Lookup replica(String topic, int partition, int currentLeaderEpoch) {
        Partition p = partition(topic, partition);
        if (p == null) {
            return new Lookup(null, ErrorCode.NOT_LEADER_OR_FOLLOWER);
        }
        return checkEpoch(p, currentLeaderEpoch);
    }

    /**
     * The broker a consumer in {@code clientRack} should fetch {@code fetchOffset} from instead of
     * this leader (KIP-392's preferred read replica), or -1 to read here: always -1 without a
     * {@code replica.selector.class}, for a partition not led here, or when the selector picks the
     * leader. Candidates are the in-sync followers holding the offset that are unfenced and
     * reachable on the client's {@code listenerName}, as in Kafka.
     */
    public int preferredReadReplica(Partition p, String clientRack, long fetchOffset, String listenerName) {
        if (readReplicas == null || !(p.role() instanceof LeaderRole leader)) {
            return -1;
        }
        return readReplicas.choose(leader, p.logEndOffset(), clientRack, fetchOffset, listenerName);
    }

    /** ISR shrinks this node proposed as leader and the quorum committed (Kafka's IsrShrinksPerSec). */
    public long isrShrinks() {
        return isrShrinks.sum();
    }

    /** ISR expansions this node proposed as leader and the quorum committed (Kafka's IsrExpandsPerSec). */
    public long isrExpands() {
        return isrExpands.sum();
    }

    public Iterable<Partition> partitions() {
        return partitions.values();
    }

    /** Offset of the last metadata image applied to the partitions. */
    public long appliedOffset() {
        return appliedOffset;
    }

    /**
     * A follower fetched {@code fetchOffset} of a partition led here: records it and, if the
     * follower caught up while outside the ISR, proposes adding it.
     */
    public void onFollowerFetch(Partition p, int replicaId, long replicaBrokerEpoch, long fetchOffset,
                                long followerLogStartOffset) {
        if (!p.recordFollowerFetch(replicaId, replicaBrokerEpoch, fetchOffset, followerLogStartOffset, clock.millis())) {
            return;
        }
        // A fenced broker is not eligible (Kafka's isReplicaIsrEligible): the quorum would refuse it.
        if (p.role() instanceof LeaderRole leader && metadata.image().isUnfenced(replicaId)) {
            LeaderRole.IsrProposal expand = leader.expansion(replicaId, p.highWatermark(), clock.millis());
            if (expand != null) {
                propose(p, leader, expand, "caught up", isrExpands);
            }
        }
    }

    private void shrinkLaggingIsrs() {
        try {
            long now = clock.millis();
            for (Partition p : partitions.values()) {
                if (p.role() instanceof LeaderRole leader) {
                    LeaderRole.IsrProposal shrink = leader.shrink(now, settings.replicaLagTimeMaxMs());
                    if (shrink != null) {
                        propose(p, leader, shrink, "lagging more than " + settings.replicaLagTimeMaxMs() + " ms",
                                isrShrinks);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("ISR check failed", e);
        }
    }

    private void propose(Partition p, LeaderRole leader, LeaderRole.IsrProposal change, String why,
                         LongAdder committedChanges) {
        LOG.info("{}: proposing ISR {} at leader epoch {} ({})", p.id(), Arrays.toString(change.newIsr()),
                change.leaderEpoch(), why);
        AlterPartition command = new AlterPartition(settings.nodeId(), brokerEpoch.getAsLong(), List.of(
                new AlterPartition.IsrChange(p.topicId(), p.partition(), change.leaderEpoch(), change.partitionEpoch(),
                        change.newIsr(), change.brokerEpochs())));
        metadata.submit(command).whenComplete((result, e) -> {
            AlterPartition.PartitionOutcome outcome = result == null || result.partitions().isEmpty() ? null
                    : result.partitions().get(0);
            if (e == null && outcome != null && outcome.errorCode() == ErrorCode.NONE && outcome.partitionState() != null) {
                PartitionImage state = outcome.partitionState();
                p.isrCommitted(leader, state.isr(), state.partitionEpoch());
                committedChanges.increment();
            } else {
                LOG.info("{}: ISR change refused: {}", p.id(), e != null ? e.toString()
                        : outcome == null ? result.errorMessage() : outcome.errorCode() + " " + outcome.errorMessage());
                leader.onProposalFailed(clock.millis());
            }
        });
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
                if (p.isReplica(settings.nodeId())) {
                    TopicPartitionId tp = new TopicPartitionId(topic.name(), p.partitionId());
                    wanted.add(tp);
                    ensureRole(image, topic, tp, p);
                }
            }
        }
        for (TopicPartitionId tp : Set.copyOf(partitions.keySet())) {
            if (!wanted.contains(tp)) {
                stopReplica(tp, "no longer a replica");
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
                stopReplica(tp, "topic deleted");
                if (logs.delete(tp)) {
                    LOG.info("Deleted log of {}", tp);
                }
                checkpoints.forget(tp);
            }
        }
        for (MetadataDelta.PartitionChange change : delta.changedPartitions()) {
            TopicImage topic = image.topic(change.topicId());
            if (topic == null) {
                continue;
            }
            TopicPartitionId tp = new TopicPartitionId(topic.name(), change.after().partitionId());
            if (change.after().isReplica(settings.nodeId())) {
                ensureRole(image, topic, tp, change.after());
            } else {
                stopReplica(tp, "no longer a replica");
            }
        }
        if (delta.configsChanged()) {
            for (Partition p : partitions.values()) {
                TopicImage t = image.topic(p.topic());
                if (t != null) {
                    p.log().updateConfig(logConfigs.apply(image, t));
                    p.setMinInsyncReplicas(minInsyncReplicas.applyAsInt(t));
                }
            }
        }
    }

    private void stopReplica(TopicPartitionId tp, String why) {
        Partition held = partitions.get(tp);
        if (held != null) {
            checkpoints.released(tp, held.highWatermark()); // its log stays: keep its entry
        }
        Partition p = partitions.remove(tp);
        if (p != null) {
            fetching.unfollow(tp);
            p.becomeFollower(-1, p.leaderEpoch());
            LOG.info("Stopped replica of {} ({})", tp, why);
        }
    }

    private void ensureRole(MetadataImage metadata, TopicImage topic, TopicPartitionId tp, PartitionImage image) {
        Partition p = partitions.get(tp);
        if (p == null || !p.topicId().equals(topic.topicId())) {
            LogConfig config = logConfigs.apply(metadata, topic);
            PartitionLog log = logs.getOrCreate(tp, config);
            log.updateConfig(config);
            p = new Partition(tp, topic.topicId(), log, new FollowerRole(-1, -1),
                    new DelayedProduces(timer), checkpoints.checkpointed(tp));
            p.setMinInsyncReplicas(minInsyncReplicas.applyAsInt(topic));
            p.loadProducerState(clock.millis(), settings.producerIdExpirationMs());
            partitions.put(tp, p);
            checkpoints.held(tp);
        }
        if (image.leader() == settings.nodeId()) {
            if (!p.isLeader()) {
                fetching.unfollow(tp);
            }
            p.becomeLeader(settings.nodeId(), image.leaderEpoch(), image.partitionEpoch(), image.replicas(), image.isr(),
                    clock.millis());
        } else if (p.isLeader() || p.leaderEpoch() != image.leaderEpoch() || p.role().leaderId() != image.leader()) {
            fetching.unfollow(tp);
            p.becomeFollower(image.leader(), image.leaderEpoch());
            if (image.hasLeader()) {
                fetching.follow(p, image.leader());
            }
        }
    }

    @Override
    public void close() {
        stateThread.shutdown();
        try {
            stateThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        checkpointThread.shutdownNow();
        try {
            checkpointThread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // After the state thread stopped: the last high watermarks, for the next start.
        checkpointHighWatermarks();
        partitions.clear();
    }
}
