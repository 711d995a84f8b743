package io.sluice.server.handler;

import io.sluice.metadata.command.DeleteTopics;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.server.quota.ControllerMutationQuotaManager.MutationQuota;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;

/**
 * DeleteTopics (v1-6; v6 by name or id). The partitions' logs are deleted when the change is
 * applied here. {@code delete.topic.enable=false} answers TOPIC_DELETION_DISABLED. Thread-safe.
 */
final class DeleteTopicsHandler implements ApiHandler {

    /** KIP-599: from this version a topic over the controller mutation quota is refused. */
    private static final short STRICT_SINCE_VERSION = 5;

    private final HandlerContext ctx;

    DeleteTopicsHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        DeleteTopicsRequestData req = request.bodyAs(DeleteTopicsRequestData.class);
        short v = request.apiVersion();
        List<String> names = new ArrayList<>();
        List<UUID> ids = new ArrayList<>();
        if (v >= 6) {
            for (DeleteTopicsRequestData.DeleteTopicState t : req.topics()) {
                if (t.name() != null) {
                    names.add(t.name());
                } else {
                    ids.add(Uuids.fromKafka(t.topicId()));
                }
            }
        } else {
            names.addAll(req.topicNames());
        }
        DeleteTopicsResponseData resp = new DeleteTopicsResponseData();
        if (!ctx.config().getBoolean(ServerConfigDef.DELETE_TOPIC_ENABLE)) {
            names.forEach(n -> resp.responses().add(result(n, null, Errors.TOPIC_DELETION_DISABLED, null, v)));
            ids.forEach(id -> resp.responses().add(result(null, id, Errors.TOPIC_DELETION_DISABLED, null, v)));
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        // KIP-599: a deletion charges the topic's partitions to the controller mutation quota.
        MutationQuota quota = ctx.quotas().controllerMutation().newQuotaFor(request.clientId(), v, STRICT_SINCE_VERSION);
        MetadataImage image = ctx.metadata().image();
        Map<Object, Integer> charged = new HashMap<>();
        names.removeIf(n -> throttled(quota, image.topic(n), n, charged, () ->
                resp.responses().add(result(n, null, Errors.THROTTLING_QUOTA_EXCEEDED, MutationQuotas.EXCEEDED, v))));
        ids.removeIf(id -> throttled(quota, image.topic(id), id, charged, () ->
                resp.responses().add(result(null, id, Errors.THROTTLING_QUOTA_EXCEEDED, MutationQuotas.EXCEEDED, v))));
        resp.setThrottleTimeMs(quota.throttleTimeMs());
        if (names.isEmpty() && ids.isEmpty()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        DeleteTopics command = new DeleteTopics(names, ids);
        CompletableFuture<KafkaResponse> done = new CompletableFuture<>();
        ctx.metadata().submit(command).whenComplete((result, e) -> {
            DeleteTopics.Result r = result != null ? result : command.failed(Errors.REQUEST_TIMED_OUT, String.valueOf(e));
            for (DeleteTopics.TopicOutcome o : r.topics()) {
                if (o.errorCode() != Errors.NONE) {
                    // Kafka charges only the topics it deletes: give back what a refused one cost.
                    quota.unrecord(charged.getOrDefault(o.name() != null ? o.name() : o.topicId(), 0));
                }
                resp.responses().add(result(o.name(), o.topicId(), o.errorCode(), o.errorMessage(), v));
            }
            resp.setThrottleTimeMs(quota.throttleTimeMs());
            ctx.replicas().afterPendingChanges(() -> done.complete(KafkaResponse.of(resp)));
        });
        return done;
    }

    /**
     * Charges a topic's partitions; true (and {@code refuse} run) when a strict quota is exhausted.
     * An unknown topic costs nothing: the quorum answers it.
     */
    private static boolean throttled(MutationQuota quota, TopicImage topic, Object key, Map<Object, Integer> charged,
                                     Runnable refuse) {
        int partitions = topic == null ? 0 : topic.partitionCount();
        if (!quota.tryRecord(partitions)) {
            refuse.run();
            return true;
        }
        charged.put(key, partitions);
        return false;
    }

    private static DeletableTopicResult result(String name, UUID id, short error, String message, short v) {
        DeletableTopicResult r = new DeletableTopicResult().setName(name).setErrorCode(error);
        if (v >= 5 && error != Errors.NONE) {
            r.setErrorMessage(message);
        }
        if (v >= 6) {
            r.setTopicId(id != null ? Uuids.toKafka(id) : Uuid.ZERO_UUID);
        }
        return r;
    }
}
