package io.sluice.server.group.share;

import io.sluice.server.handler.ApiHandler;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ShareAcknowledge v1-2 (KIP-932): acknowledgements outside a fetch, in the member's share session
 * (epoch 0 is refused with INVALID_SHARE_SESSION_EPOCH, -1 acknowledges and closes the session).
 * The answer goes out once the changed share-partitions are persisted. Thread-safe.
 */
public final class ShareAcknowledgeHandler implements ApiHandler {

    private final ShareAcks acks;
    private final ShareSessionCache sessions;
    /** share.version is at level 1, read at each request (UpdateFeatures changes it). */
    private final BooleanSupplier enabled;

    ShareAcknowledgeHandler(ShareAcks acks, ShareSessionCache sessions, BooleanSupplier enabled) {
        this.acks = acks;
        this.sessions = sessions;
        this.enabled = enabled;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        ShareAcknowledgeRequestData req = request.bodyAs(ShareAcknowledgeRequestData.class);
        if (!enabled.getAsBoolean()) {
            return done(Errors.UNSUPPORTED_VERSION, ShareGroupHandlers.disabledMessage());
        }
        if (req.groupId() == null || req.groupId().isEmpty() || req.memberId() == null || req.memberId().isEmpty()) {
            return done(Errors.INVALID_REQUEST, "group id and member id are required");
        }
        Errors session = sessions.acknowledge(req.groupId(), req.memberId(), req.shareSessionEpoch());
        if (session != Errors.NONE) {
            return done(session, null);
        }
        Map<TopicIdPartition, List<ShareAcks.Batch>> batches = new LinkedHashMap<>();
        for (ShareAcknowledgeRequestData.AcknowledgeTopic t : req.topics()) {
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : t.partitions()) {
                List<ShareAcks.Batch> list = batches.computeIfAbsent(
                        new TopicIdPartition(t.topicId(), p.partitionIndex(), null), k -> new ArrayList<>());
                for (ShareAcknowledgeRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
                    list.add(new ShareAcks.Batch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
                }
            }
        }
        return acks.apply(req.groupId(), req.memberId(), batches).thenApply(errors -> {
            if (req.shareSessionEpoch() == ShareSessionCache.FINAL_EPOCH) {
                sessions.close(req.groupId(), req.memberId());
            }
            ShareAcknowledgeResponseData resp = new ShareAcknowledgeResponseData().setErrorCode(Errors.NONE.code())
                    .setAcquisitionLockTimeoutMs(acks.manager().recordLockDurationMs(req.groupId()));
            Map<Uuid, ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse> topics = new LinkedHashMap<>();
            for (Map.Entry<TopicIdPartition, Errors> e : errors.entrySet()) {
                topics.computeIfAbsent(e.getKey().topicId(), id -> {
                    ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse t =
                            new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse().setTopicId(id);
                    resp.responses().add(t);
                    return t;
                }).partitions().add(new ShareAcknowledgeResponseData.PartitionData()
                        .setPartitionIndex(e.getKey().partition()).setErrorCode(e.getValue().code()));
            }
            return KafkaResponse.of(resp);
        });
    }

    private static CompletionStage<KafkaResponse> done(Errors e, String message) {
        return CompletableFuture.completedFuture(KafkaResponse.of(new ShareAcknowledgeResponseData()
                .setErrorCode(e.code()).setErrorMessage(message)));
    }
}
