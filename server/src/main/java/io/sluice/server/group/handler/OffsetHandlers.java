package io.sluice.server.group.handler;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.group.offsets.OffsetManager;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetCommit v2-10, OffsetFetch v1-10 (v8+: several groups, each on its own coordinator shard;
 * v10: topics by id, see {@link OffsetTopicIds})
 * and OffsetDelete v0. Partitions are checked against the metadata image (unknown ones get
 * UNKNOWN_TOPIC_OR_PARTITION, as Kafka's KafkaApis does before the coordinator). Thread-safe.
 */
public final class OffsetHandlers {

    private final HandlerContext ctx;
    private final GroupCoordinator coordinator;

    public OffsetHandlers(HandlerContext ctx, GroupCoordinator coordinator) {
        this.ctx = ctx;
        this.coordinator = coordinator;
    }

    public final ApiHandler offsetCommit = this::commit;
    public final ApiHandler offsetFetch = this::fetch;
    public final ApiHandler offsetDelete = this::delete;

    private OffsetManager.PartitionExists partitionExists() {
        MetadataImage image = ctx.metadata().image();
        return (topic, p) -> topic != null && image.partition(topic, p) != null;
    }

    private CompletionStage<KafkaResponse> commit(KafkaRequest request, ClientInfo client) {
        OffsetCommitRequestData req = request.bodyAs(OffsetCommitRequestData.class);
        short v = request.apiVersion();
        OffsetManager.PartitionExists exists = partitionExists();
        if (v >= OffsetTopicIds.TOPIC_ID_VERSION) {
            OffsetTopicIds.nameCommitTopics(req, ctx.metadata().image());
        }
        return coordinator.onShard(req.groupId(),
                        shard -> shard.offsets().commit(req, v, exists),
                        e -> commitError(req, e))
                .thenApply(r -> KafkaResponse.of(v >= OffsetTopicIds.TOPIC_ID_VERSION
                        ? OffsetTopicIds.idCommitResponse(req, r) : r));
    }

    static OffsetCommitResponseData commitError(OffsetCommitRequestData req, Errors e) {
        OffsetCommitResponseData resp = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : req.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic rt =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                rt.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(e.code()));
            }
            resp.topics().add(rt);
        }
        return resp;
    }

    private CompletionStage<KafkaResponse> fetch(KafkaRequest request, ClientInfo client) {
        OffsetFetchRequestData req = request.bodyAs(OffsetFetchRequestData.class);
        short v = request.apiVersion();
        if (v >= 8) {
            List<CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup>> parts = new ArrayList<>();
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : req.groups()) {
                if (v >= OffsetTopicIds.TOPIC_ID_VERSION) {
                    MetadataImage image = ctx.metadata().image();
                    List<OffsetFetchRequestData.OffsetFetchRequestTopics> unknown = new ArrayList<>();
                    var named = OffsetTopicIds.nameFetchTopics(g.topics(), image, unknown);
                    parts.add(fetchGroup(g.groupId(), g.memberId(), g.memberEpoch(), named)
                            .thenApply(r -> OffsetTopicIds.idFetchResponse(r, ctx.metadata().image(), unknown)));
                } else {
                    parts.add(fetchGroup(g.groupId(), g.memberId(), g.memberEpoch(), g.topics()));
                }
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
                OffsetFetchResponseData resp = new OffsetFetchResponseData();
                parts.forEach(p -> resp.groups().add(p.join()));
                return KafkaResponse.of(resp);
            });
        }
        List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics = null;
        if (req.topics() != null) {
            topics = new ArrayList<>();
            for (OffsetFetchRequestData.OffsetFetchRequestTopic t : req.topics()) {
                topics.add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(t.name())
                        .setPartitionIndexes(t.partitionIndexes()));
            }
        }
        return fetchGroup(req.groupId(), null, -1, topics).thenApply(g -> KafkaResponse.of(toV7(g, v)));
    }

    private CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup> fetchGroup(
            String groupId, String memberId, int memberEpoch, List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics) {
        return coordinator.onShard(groupId,
                shard -> CompletableFuture.completedFuture(shard.offsets().fetch(groupId, memberId, memberEpoch, topics)),
                e -> {
                    OffsetFetchResponseData.OffsetFetchResponseGroup g = new OffsetFetchResponseData.OffsetFetchResponseGroup()
                            .setGroupId(groupId).setErrorCode(e.code());
                    if (topics != null) {
                        for (OffsetFetchRequestData.OffsetFetchRequestTopics t : topics) {
                            OffsetFetchResponseData.OffsetFetchResponseTopics rt =
                                    new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(t.name());
                            for (int p : t.partitionIndexes()) {
                                rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                                        .setPartitionIndex(p).setCommittedOffset(-1).setMetadata("").setErrorCode(e.code()));
                            }
                            g.topics().add(rt);
                        }
                    }
                    return g;
                });
    }

    /** The v1-7 shape: one group, its error at the top (v2+) and on every partition. */
    private static OffsetFetchResponseData toV7(OffsetFetchResponseData.OffsetFetchResponseGroup g, short v) {
        OffsetFetchResponseData resp = new OffsetFetchResponseData();
        if (v >= 2) {
            resp.setErrorCode(g.errorCode());
        }
        for (OffsetFetchResponseData.OffsetFetchResponseTopics t : g.topics()) {
            OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic()
                    .setName(t.name());
            for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions()) {
                OffsetFetchResponseData.OffsetFetchResponsePartition rp = new OffsetFetchResponseData.OffsetFetchResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                        .setMetadata(p.metadata()).setErrorCode(p.errorCode());
                if (v >= 5) {
                    rp.setCommittedLeaderEpoch(p.committedLeaderEpoch());
                }
                rt.partitions().add(rp);
            }
            resp.topics().add(rt);
        }
        return resp;
    }

    private CompletionStage<KafkaResponse> delete(KafkaRequest request, ClientInfo client) {
        OffsetDeleteRequestData req = request.bodyAs(OffsetDeleteRequestData.class);
        OffsetManager.PartitionExists exists = partitionExists();
        return coordinator.onShard(req.groupId(),
                        shard -> CompletableFuture.completedFuture(shard.offsets().delete(req, exists,
                                topic -> shard.isSubscribed(req.groupId(), topic))),
                        e -> new OffsetDeleteResponseData().setErrorCode(e.code()))
                .thenApply(KafkaResponse::of);
    }
}
