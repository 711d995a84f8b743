package io.sluice.server.group.handler;

import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.group.GroupConfig;
import io.sluice.server.group.share.ShareGroupConfig;
import io.sluice.server.group.share.ShareStateRecords;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.handler.TransactionsRefusal;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FindCoordinator v0-6 (v4+: a batch of keys). A group's coordinator is the leader of partition
 * {@code abs(hash(groupId)) % offsets.topic.num.partitions} of {@code __consumer_offsets}, which
 * is created on the first lookup (answered COORDINATOR_NOT_AVAILABLE meanwhile; the client
 * retries, as with Kafka); a share coordinator (key type 2) the leader of the share-partition's
 * partition of {@code __share_group_state}. Transaction coordinators come with transactions: until then a lookup
 * is refused at once ({@link TransactionsRefusal}). Thread-safe.
 */
public final class FindCoordinatorHandler implements ApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FindCoordinatorHandler.class);
    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;
    private static final byte SHARE = 2;

    private final HandlerContext ctx;
    private final GroupConfig config;
    private final int shareStatePartitions;
    private final AtomicBoolean creating = new AtomicBoolean();

    public FindCoordinatorHandler(HandlerContext ctx, GroupConfig config, ShareGroupConfig shareConfig) {
        this.ctx = ctx;
        this.config = config;
        this.shareStatePartitions = shareConfig.stateTopicNumPartitions();
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        FindCoordinatorRequestData req = request.bodyAs(FindCoordinatorRequestData.class);
        short v = request.apiVersion();
        FindCoordinatorResponseData resp = new FindCoordinatorResponseData();
        if (v >= 4) {
            for (String key : req.coordinatorKeys()) {
                resp.coordinators().add(lookup(req.keyType(), key, client.listenerName()));
            }
        } else {
            FindCoordinatorResponseData.Coordinator c = lookup(req.keyType(), req.key(), client.listenerName());
            resp.setErrorCode(c.errorCode()).setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
            if (v >= 1) {
                resp.setErrorMessage(c.errorMessage());
            }
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }

    /** The coordinator of {@code key}, described by its endpoint on the listener the request came in on. */
    private FindCoordinatorResponseData.Coordinator lookup(byte keyType, String key, String listenerName) {
        FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setNodeId(-1).setHost("").setPort(-1);
        if (keyType == TRANSACTION) {
            return fail(c, TransactionsRefusal.ERROR, TransactionsRefusal.message(key));
        }
        if (keyType == SHARE) {
            return shareCoordinator(c, key, listenerName);
        }
        if (keyType != GROUP) {
            return fail(c, Errors.INVALID_REQUEST, "unsupported coordinator key type " + keyType);
        }
        if (key == null || key.isEmpty()) {
            return fail(c, Errors.INVALID_REQUEST, "empty group id");
        }
        MetadataImage image = ctx.metadata().image();
        TopicImage topic = image.topic(GroupConfig.OFFSETS_TOPIC);
        if (topic == null) {
            createOffsetsTopic(image);
            return fail(c, Errors.COORDINATOR_NOT_AVAILABLE, GroupConfig.OFFSETS_TOPIC + " is being created");
        }
        return leaderOf(c, image, GroupConfig.OFFSETS_TOPIC, config.partitionFor(key), listenerName);
    }

    /**
     * A share coordinator (KIP-932): the key is {@code groupId:topicId:partition} and the
     * coordinator leads that share-partition's partition of {@code __share_group_state}, created by
     * the first share fetch (COORDINATOR_NOT_AVAILABLE until then).
     */
    private FindCoordinatorResponseData.Coordinator shareCoordinator(FindCoordinatorResponseData.Coordinator c,
                                                                     String key, String listenerName) {
        ShareStateRecords.Key k = ShareStateRecords.Key.parse(key);
        if (k == null) {
            return fail(c, Errors.INVALID_REQUEST, "a share coordinator key is groupId:topicId:partition, not " + key);
        }
        MetadataImage image = ctx.metadata().image();
        if (image.topic(ShareGroupConfig.STATE_TOPIC) == null) {
            return fail(c, Errors.COORDINATOR_NOT_AVAILABLE, ShareGroupConfig.STATE_TOPIC + " does not exist yet");
        }
        return leaderOf(c, image, ShareGroupConfig.STATE_TOPIC, k.statePartition(shareStatePartitions), listenerName);
    }

    private FindCoordinatorResponseData.Coordinator leaderOf(FindCoordinatorResponseData.Coordinator c,
                                                             MetadataImage image, String topic, int p,
                                                             String listenerName) {
        PartitionImage partition = image.partition(topic, p);
        if (partition == null || !partition.hasLeader()) {
            return fail(c, Errors.COORDINATOR_NOT_AVAILABLE, "no leader for " + topic + "-" + p);
        }
        Endpoint e = image.broker(partition.leader()).flatMap(b -> b.endpoint(listenerName)).orElse(null);
        if (e == null) {
            return fail(c, Errors.COORDINATOR_NOT_AVAILABLE, "leader " + partition.leader() + " has no client endpoint");
        }
        return c.setErrorCode(Errors.NONE.code()).setNodeId(partition.leader()).setHost(e.host()).setPort(e.port());
    }

    private static FindCoordinatorResponseData.Coordinator fail(FindCoordinatorResponseData.Coordinator c, Errors e,
                                                                String message) {
        return c.setErrorCode(e.code()).setErrorMessage(message);
    }

    /**
     * {@code offsets.topic.replication.factor} as Kafka applies it: set, or on a cluster (several
     * voters, or broker-only nodes), it is a demand (the quorum refuses it while too few brokers are
     * registered, and FindCoordinator answers COORDINATOR_NOT_AVAILABLE until they are). Left unset on
     * a single combined node, Kafka's default of 3 could never be met, so it is capped at the live
     * brokers there.
     */
    private int offsetsTopicReplicationFactor(List<BrokerRegistration> live) {
        int configured = config.offsetsTopicReplicationFactor();
        boolean singleNode = ctx.config().isController()
                && ctx.config().list(ServerConfigDef.CONTROLLER_QUORUM_VOTERS).size() <= 1;
        boolean demanded = ctx.config().isSet(ServerConfigDef.OFFSETS_TOPIC_REPLICATION_FACTOR) || !singleNode;
        return demanded ? configured : Math.max(1, Math.min(configured, live.size()));
    }

    /** Creates __consumer_offsets once (Kafka does the same on the first FindCoordinator). */
    private void createOffsetsTopic(MetadataImage image) {
        if (!creating.compareAndSet(false, true)) {
            return;
        }
        int rf = offsetsTopicReplicationFactor(image.unfencedBrokers());
        // Kafka's settings (GroupCoordinatorService.groupMetadataTopicConfigs): compacted by the log
        // cleaner like any compacted topic, which keeps it small; no retention applies to it.
        Map<String, String> configs = Map.of("cleanup.policy", "compact", "compression.type", "producer",
                "segment.bytes", Integer.toString(config.offsetsTopicSegmentBytes()));
        CreateTopics.NewTopic t = new CreateTopics.NewTopic(GroupConfig.OFFSETS_TOPIC,
                config.offsetsTopicNumPartitions(), (short) rf, List.of(), configs);
        ctx.metadata().submit(new CreateTopics(List.of(t), false)).whenComplete((r, err) -> {
            creating.set(false);
            if (r != null && r.topics().get(0).errorCode() == Errors.NONE.code()) {
                LOG.info("Created {} with {} partitions, replication factor {}", GroupConfig.OFFSETS_TOPIC,
                        config.offsetsTopicNumPartitions(), rf);
            } else if (r != null && r.topics().get(0).errorCode() != Errors.TOPIC_ALREADY_EXISTS.code()) {
                LOG.warn("Creating {} failed: {} {}", GroupConfig.OFFSETS_TOPIC, r.topics().get(0).errorCode(),
                        r.topics().get(0).errorMessage());
            }
        });
    }
}
