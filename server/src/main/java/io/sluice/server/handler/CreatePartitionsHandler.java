package io.sluice.server.handler;

import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.TopicError;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;

/**
 * CreatePartitions (v0-3), including validate-only; the quorum checks counts and assignments.
 * Thread-safe.
 */
final class CreatePartitionsHandler implements ApiHandler {

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
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : req.topics()) {
            List<List<Integer>> assignment = new ArrayList<>();
            if (t.assignments() != null) {
                for (CreatePartitionsRequestData.CreatePartitionsAssignment a : t.assignments()) {
                    assignment.add(List.copyOf(a.brokerIds()));
                }
            }
            increases.add(new CreatePartitions.Increase(t.name(), t.count(), assignment));
        }
        if (increases.isEmpty()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        CreatePartitions command = new CreatePartitions(increases, req.validateOnly());
        CompletableFuture<KafkaResponse> done = new CompletableFuture<>();
        ctx.metadata().submit(command).whenComplete((result, e) -> {
            CreatePartitions.Result r = result != null ? result : command.failed(Errors.REQUEST_TIMED_OUT, String.valueOf(e));
            for (TopicError te : r.topics()) {
                resp.results().add(new CreatePartitionsTopicResult().setName(te.name()).setErrorCode(te.errorCode())
                        .setErrorMessage(te.errorCode() == Errors.NONE ? null : te.errorMessage()));
            }
            ctx.replicas().afterPendingChanges(() -> done.complete(KafkaResponse.of(resp)));
        });
        return done;
    }
}
