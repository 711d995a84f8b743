package io.sluice.server.handler;

import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.storage.TopicPartitionId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata (v0-13): brokers, cluster id, controller and topics from the local metadata image, with
 * the authorized operations when asked (v8+; all of them: there is no authorizer).
 * Unknown topics are created when {@code auto.create.topics.enable} and the request allow it
 * (answered LEADER_NOT_AVAILABLE meanwhile, as Kafka does, and the client retries). Thread-safe.
 */
final class MetadataHandler implements ApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataHandler.class);

    private final HandlerContext ctx;
    /** Topics with an auto-creation in flight, so a burst of metadata requests submits once. */
    private final Set<String> creating = ConcurrentHashMap.newKeySet();

    MetadataHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        MetadataRequestData req = request.bodyAs(MetadataRequestData.class);
        short v = request.apiVersion();
        MetadataImage image = ctx.metadata().image();
        MetadataResponseData resp = new MetadataResponseData();
        resp.setBrokers(brokers(image, client.listenerName()));
        if (v >= 2) {
            resp.setClusterId(image.clusterId());
        }
        if (v >= 1) {
            resp.setControllerId(ctx.nodeId());
        }
        if (v >= 8 && v <= 10 && req.includeClusterAuthorizedOperations()) {
            resp.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        boolean topicOperations = v >= 8 && req.includeTopicAuthorizedOperations();
        boolean allTopics = req.topics() == null || (v == 0 && req.topics().isEmpty());
        if (allTopics) {
            for (TopicImage t : image.topics()) {
                resp.topics().add(topic(image, t, v, topicOperations, client.listenerName()));
            }
        } else {
            boolean autoCreate = ctx.config().getBoolean(ServerConfigDef.AUTO_CREATE_TOPICS_ENABLE)
                    && (v < 4 || req.allowAutoTopicCreation());
            for (MetadataRequestData.MetadataRequestTopic rt : req.topics()) {
                // By id when the name is left out: kafka-clients sends "" (not null) with the id, e.g. the
                // KIP-848 consumer resolving the topic ids of its assignment (Kafka: any non-zero id).
                boolean byId = (rt.name() == null || rt.name().isEmpty()) && rt.topicId() != null
                        && !Uuid.ZERO_UUID.equals(rt.topicId());
                TopicImage t = byId ? image.topic(Uuids.fromKafka(rt.topicId()))
                        : rt.name() != null ? image.topic(rt.name()) : null;
                if (t != null) {
                    resp.topics().add(topic(image, t, v, topicOperations, client.listenerName()));
                } else if (byId || rt.name() == null) {
                    resp.topics().add(new MetadataResponseTopic().setErrorCode(Errors.UNKNOWN_TOPIC_ID)
                            .setTopicId(rt.topicId()));
                } else if (!TopicPartitionId.isValidTopicName(rt.name())) {
                    resp.topics().add(new MetadataResponseTopic().setName(rt.name())
                            .setErrorCode(Errors.INVALID_TOPIC_EXCEPTION));
                } else if (autoCreate) {
                    autoCreate(rt.name());
                    resp.topics().add(new MetadataResponseTopic().setName(rt.name())
                            .setErrorCode(Errors.LEADER_NOT_AVAILABLE));
                } else {
                    resp.topics().add(new MetadataResponseTopic().setName(rt.name())
                            .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION));
                }
            }
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }

    private void autoCreate(String name) {
        if (!creating.add(name)) {
            return;
        }
        int partitions = ctx.config().getInt(ServerConfigDef.NUM_PARTITIONS);
        int rf = ctx.config().getInt(ServerConfigDef.DEFAULT_REPLICATION_FACTOR);
        ctx.metadata().submit(new CreateTopics(List.of(CreateTopics.NewTopic.of(name, partitions, rf)), false))
                .whenComplete((r, e) -> {
                    creating.remove(name);
                    if (r != null && r.topics().get(0).errorCode() == Errors.NONE) {
                        LOG.info("Auto-created topic {} ({} partitions)", name, partitions);
                    } else if (r != null && r.topics().get(0).errorCode() != Errors.TOPIC_ALREADY_EXISTS) {
                        LOG.warn("Auto-creating topic {} failed: {} {}", name, r.topics().get(0).errorCode(),
                                r.topics().get(0).errorMessage());
                    }
                });
    }

    static MetadataResponseData.MetadataResponseBrokerCollection brokers(MetadataImage image, String listener) {
        MetadataResponseData.MetadataResponseBrokerCollection out = new MetadataResponseData.MetadataResponseBrokerCollection();
        for (BrokerRegistration b : image.unfencedBrokers()) {
            Endpoint e = b.endpoint(listener).orElse(null);
            if (e == null) {
                continue;
            }
            out.add(new MetadataResponseBroker().setNodeId(b.brokerId()).setHost(e.host()).setPort(e.port())
                    .setRack(b.rack().orElse(null)));
        }
        return out;
    }

    private MetadataResponseTopic topic(MetadataImage image, TopicImage t, short v, boolean operations,
                                       String listenerName) {
        MetadataResponseTopic out = new MetadataResponseTopic().setName(t.name()).setErrorCode(Errors.NONE)
                .setIsInternal(Topic.isInternal(t.name()));
        if (operations) {
            out.setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
        }
        if (v >= 10) {
            out.setTopicId(Uuids.toKafka(t.topicId()));
        }
        for (PartitionImage p : t.partitions()) {
            out.partitions().add(partition(p, v, offlineReplicas(image, p, listenerName)));
        }
        return out;
    }

    static MetadataResponsePartition partition(PartitionImage p, short v, List<Integer> offlineReplicas) {
        MetadataResponsePartition out = new MetadataResponsePartition().setPartitionIndex(p.partitionId())
                .setErrorCode(p.hasLeader() ? Errors.NONE : Errors.LEADER_NOT_AVAILABLE)
                .setLeaderId(p.leader())
                .setReplicaNodes(ints(p.replicas()))
                .setIsrNodes(ints(p.isr()));
        if (v >= 5) {
            out.setOfflineReplicas(offlineReplicas);
        }
        if (v >= 7) {
            out.setLeaderEpoch(p.leaderEpoch());
        }
        return out;
    }

    /**
     * The replicas whose broker cannot serve the partition now, in replica order: not registered,
     * fenced, or without the listener clients use (Kafka's offline replicas). Kafka also counts a
     * replica on a failed log dir; Sluice does not report failed dirs to the quorum, so those are
     * not listed.
     */
    static List<Integer> offlineReplicas(MetadataImage image, PartitionImage p, String listener) {
        List<Integer> out = new ArrayList<>(0);
        for (int replica : p.replicas()) {
            BrokerRegistration b = image.broker(replica).orElse(null);
            if (b == null || b.fenced() || b.endpoint(listener).isEmpty()) {
                out.add(replica);
            }
        }
        return out;
    }

    static List<Integer> ints(int[] a) {
        List<Integer> out = new ArrayList<>(a.length);
        for (int x : a) {
            out.add(x);
        }
        return out;
    }
}
