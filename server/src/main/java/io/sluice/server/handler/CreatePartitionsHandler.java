package io.sluice.server.handler;

import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.TopicError;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.server.quota.ControllerMutationQuotaManager.MutationQuota;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;

/**
 * CreatePartitions (v0-3), including validate-only; the quorum checks counts and assignments. The
 * partitions added are charged to the client's controller mutation quota (KIP-599; strict from v3).
 * Thread-safe.
 */
final class CreatePartitionsHandler implements ApiHandler {

    /** KIP-599: from this version a topic over the controller mutation quota is refused. */
    private static final short STRICT_SINCE_VERSION = 3;

    private final HandlerContext ctx;

    CreatePartitionsHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        CreatePartitionsRequestData req = request.bodyAs(CreatePartitionsRequestData.class);
        CreatePartitionsResponseData resp = new CreatePartitionsResponseData();
        MetadataImage image = ctx.metadata().image();
        List<CreatePartitions.Increase> increases = new ArrayList<>();
        // KIP-599: the partitions added are charged to the controller mutation quota.
        MutationQuota quota = ctx.quotas().controllerMutation().newQuotaFor(request.clientId(), request.apiVersion(),
                STRICT_SINCE_VERSION);
        Map<String, Integer> charged = new HashMap<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : req.topics()) {
            TopicImage topic = image.topic(t.name());
            int added = topic == null ? 0 : Math.max(t.count() - topic.partitionCount(), 0);
            if (!quota.tryRecord(added)) {
                resp.results().add(new CreatePartitionsTopicResult().setName(t.name())
                        .setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED).setErrorMessage(MutationQuotas.EXCEEDED));
                continue;
            }
            charged.put(t.name(), added);
            List<List<Integer>> assignment = new ArrayList<>();
            if (t.assignments() != null) {
                for (CreatePartitionsRequestData.CreatePartitionsAssignment a : t.assignments()) {
                    assignment.add(List.copyOf(a.brokerIds()));
                }
            }
            increases.add(new CreatePartitions.Increase(t.name(), t.count(), assignment));
        }
        resp.setThrottleTimeMs(quota.throttleTimeMs());
        if (increases.isEmpty()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        CreatePartitions command = new CreatePartitions(increases, req.validateOnly());
        CompletableFuture<KafkaResponse> done = new CompletableFuture<>();
        ctx.metadata().submit(command).whenComplete((result, e) -> {
            CreatePartitions.Result r = result != null ? result : command.failed(Errors.REQUEST_TIMED_OUT, String.valueOf(e));
            for (TopicError te : r.topics()) {
                if (te.errorCode() != Errors.NONE) {
                    quota.unrecord(charged.getOrDefault(te.name(), 0)); // Kafka charges only what it adds
                }
                resp.results().add(new CreatePartitionsTopicResult().setName(te.name()).setErrorCode(te.errorCode())
                        .setErrorMessage(te.errorCode() == Errors.NONE ? null : te.errorMessage()));
            }
            resp.setThrottleTimeMs(quota.throttleTimeMs());
            ctx.replicas().afterPendingChanges(() -> done.complete(KafkaResponse.of(resp)));
        });
        return done;
    }
}
