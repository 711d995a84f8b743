package io.sluice.server.group.share;

import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.replication.Partition;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.group.log.PartitionGroupLog;
import io.sluice.server.group.runtime.GroupConfigLookup;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.network.InterBrokerSender;
import io.sluice.metadata.image.MetadataListener;
import io.sluice.server.handler.Uuids;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition-leader and share-coordinator sides of share groups, built once by the broker:
 * share-partitions ({@link SharePartitionManager}), the share coordinator's state in
 * {@code __share_group_state} ({@link ShareStateStore}, the topic created on first need with
 * Kafka's settings) and the persister that reaches it on whichever broker leads it, the share
 * sessions, the ShareFetch / ShareAcknowledge handlers and the share coordinator's API handlers.
 * The states of a deleted topic's share-partitions are deleted with it. Close once, at shutdown.
 * Thread-safe.
 */
public final class SharePartitionApis implements AutoCloseable {

    /** Requests waiting for one share coordinator on another broker; more fail at once (COORDINATOR_NOT_AVAILABLE). */
    private static final int COORDINATOR_QUEUED_REQUESTS_MAX = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SharePartitionApis.class);

    public final ApiHandler shareFetch;
    public final ApiHandler shareAcknowledge;
    public final SharePartitionManager manager;
    public final ShareCoordinatorHandlers coordinator;
    private final InterBrokerSender sender;
    private final HandlerContext ctx;
    private final MetadataListener deletedTopics;
    private final ExecutorService stateCleanup = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-share-state-cleanup");
        t.setDaemon(true);
        return t;
    });

    public SharePartitionApis(HandlerContext ctx, ShareGroupConfig config, GroupConfigLookup groupConfigs,
                              BooleanSupplier enabled) {
        ShareStateStore store = new ShareStateStore(new StateTopic(ctx, config), config.stateTopicNumPartitions(),
                ctx.nodeId(), () -> ctx.clock().millis());
        String listener = ctx.config().interBrokerListenerName();
        sender = new InterBrokerSender(brokerId -> ctx.metadata().image().broker(brokerId)
                .flatMap(b -> b.endpoint(listener)).map(e -> new InetSocketAddress(e.host(), e.port())),
                ctx.config().getInt(ServerConfigDef.REPLICA_SOCKET_TIMEOUT_MS), COORDINATOR_QUEUED_REQUESTS_MAX,
                "sluice-share-persister-" + ctx.nodeId());
        manager = new SharePartitionManager(config, groupConfigs, new ShareStatePersister(store, sender),
                () -> ctx.clock().millis());
        coordinator = new ShareCoordinatorHandlers(ctx, store, enabled);
        this.ctx = ctx;
        // Listeners must not block: the deletions run on a thread of their own.
        deletedTopics = (image, delta) -> {
            if (!delta.deletedTopics().isEmpty()) {
                Set<Uuid> ids = new HashSet<>();
                delta.deletedTopics().forEach(t -> ids.add(Uuids.toKafka(t.topicId())));
                stateCleanup.execute(() -> store.deleteTopics(ids));
            }
        };
        ctx.metadata().subscribe(deletedTopics);
        ShareAcks acks = new ShareAcks(ctx, manager);
        ShareSessionCache sessions = new ShareSessionCache(config.maxShareSessions(), config.sessionTimeoutMs(),
                () -> ctx.clock().millis(),
                (key, partitions, unused) -> acks.releaseAll(key.groupId(), key.memberId(), partitions, unused));
        shareFetch = new ShareFetchHandler(ctx, acks, sessions, enabled);
        shareAcknowledge = new ShareAcknowledgeHandler(acks, sessions, enabled);
    }

    @Override
    public void close() {
        ctx.metadata().unsubscribe(deletedTopics);
        stateCleanup.shutdownNow();
        sender.close();
    }

    /** {@code __share_group_state} through the broker's ReplicaManager; created on first use. */
    private static final class StateTopic implements ShareStateStore.StatePartitions {
        private final HandlerContext ctx;
        private final ShareGroupConfig config;
        private final AtomicBoolean creating = new AtomicBoolean();

        StateTopic(HandlerContext ctx, ShareGroupConfig config) {
            this.ctx = ctx;
            this.config = config;
        }

        @Override
        public Led lookup(int p) {
            Partition partition = ctx.replicas().leader(ShareGroupConfig.STATE_TOPIC, p, -1).partition();
            if (partition == null) {
                return null;
            }
            PartitionGroupLog log = new PartitionGroupLog(partition, () -> ctx.clock().millis(),
                    config.stateTopicCompressionCodec());
            return new Led(log, log.leadership());
        }

        @Override
        public boolean topicExists(Uuid topicId) {
            return ctx.metadata().image().topic(Uuids.fromKafka(topicId)) != null;
        }

        @Override
        public int leader(int p) {
            PartitionImage image = ctx.metadata().image().partition(ShareGroupConfig.STATE_TOPIC, p);
            return image != null && image.hasLeader() ? image.leader() : -1;
        }

        @Override
        public boolean ensureTopic() {
            MetadataImage image = ctx.metadata().image();
            if (image.topic(ShareGroupConfig.STATE_TOPIC) != null) {
                return true;
            }
            if (!creating.compareAndSet(false, true)) {
                return false;
            }
            boolean singleNode = ctx.config().isController()
                    && ctx.config().list(ServerConfigDef.CONTROLLER_QUORUM_VOTERS).size() <= 1;
            boolean demanded = ctx.config().isSet(ServerConfigDef.SHARE_STATE_TOPIC_REPLICATION_FACTOR) || !singleNode;
            int rf = demanded ? config.stateTopicReplicationFactor()
                    : Math.max(1, Math.min(config.stateTopicReplicationFactor(), image.unfencedBrokers().size()));
            // Kafka's share coordinator settings for the topic, but compacted: Kafka creates it with
            // cleanup.policy=delete and prunes it itself (deleteRecords below the oldest latest snapshot of
            // its share-partitions, as they write ShareUpdate records between snapshots). Sluice writes
            // only whole snapshots and tombstones, so the log cleaner keeps it small, as __consumer_offsets.
            Map<String, String> configs = Map.of("cleanup.policy", "compact", "compression.type", "producer",
                    "segment.bytes", Integer.toString(config.stateTopicSegmentBytes()));
            CreateTopics.NewTopic t = new CreateTopics.NewTopic(ShareGroupConfig.STATE_TOPIC,
                    config.stateTopicNumPartitions(), (short) rf, List.of(), configs);
            ctx.metadata().submit(new CreateTopics(List.of(t), false)).whenComplete((r, err) -> {
                creating.set(false);
                if (r != null && r.topics().get(0).errorCode() == Errors.NONE.code()) {
                    LOG.info("Created {} with {} partitions, replication factor {}", ShareGroupConfig.STATE_TOPIC,
                            config.stateTopicNumPartitions(), rf);
                } else if (r != null && r.topics().get(0).errorCode() != Errors.TOPIC_ALREADY_EXISTS.code()) {
                    LOG.warn("Creating {} failed: {} {}", ShareGroupConfig.STATE_TOPIC, r.topics().get(0).errorCode(),
                            r.topics().get(0).errorMessage());
                }
            });
            return false;
        }
    }
}
