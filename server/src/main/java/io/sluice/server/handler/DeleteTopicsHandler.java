package io.sluice.server.handler;

import io.sluice.metadata.command.DeleteTopics;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
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
        DeleteTopics command = new DeleteTopics(names, ids);
        CompletableFuture<KafkaResponse> done = new CompletableFuture<>();
        ctx.metadata().submit(command).whenComplete((result, e) -> {
            DeleteTopics.Result r = result != null ? result : command.failed(Errors.REQUEST_TIMED_OUT, String.valueOf(e));
            for (DeleteTopics.TopicOutcome o : r.topics()) {
                resp.responses().add(result(o.name(), o.topicId(), o.errorCode(), o.errorMessage(), v));
            }
            ctx.replicas().afterPendingChanges(() -> done.complete(KafkaResponse.of(resp)));
        });
        return done;
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
