package io.sluice.server.handler;

import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;

/**
 * ElectLeaders (v0-2, KIP-460; {@code kafka-leader-election}): PREFERRED or UNCLEAN elections, decided
 * by the quorum with Kafka's per-partition errors (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
 * ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION). As Kafka's controller does: null topics
 * mean every partition, whose results leave out those that needed no election but list every topic;
 * an empty list is answered at once; an unknown election type is INVALID_REQUEST for the request and
 * each partition it names. Thread-safe.
 */
final class ElectLeadersHandler implements ApiHandler {

    private final HandlerContext ctx;

    ElectLeadersHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        ElectLeadersRequestData req = request.bodyAs(ElectLeadersRequestData.class);
        short version = request.apiVersion();
        boolean all = req.topicPartitions() == null;
        List<ElectLeaders.PartitionRef> refs = new ArrayList<>();
        if (!all) {
            for (ElectLeadersRequestData.TopicPartitions t : req.topicPartitions()) {
                for (int p : t.partitions()) {
                    refs.add(new ElectLeaders.PartitionRef(t.topic(), p));
                }
            }
            if (req.topicPartitions().isEmpty()) {
                return CompletableFuture.completedFuture(KafkaResponse.of(new ElectLeadersResponseData()));
            }
        }
        ElectLeaders.ElectionType type = ElectLeaders.ElectionType.fromId(req.electionType());
        if (type == null) {
            // v0 has no election type (it is PREFERRED), so only v1+ gets here.
            String message = "Unknown election type " + req.electionType();
            return CompletableFuture.completedFuture(KafkaResponse.of(
                    errorResponse(req, Errors.INVALID_REQUEST, message, version)));
        }
        ElectLeaders command = new ElectLeaders(type, all, refs);
        CompletableFuture<KafkaResponse> done = new CompletableFuture<>();
        ctx.metadata().submit(command).whenComplete((result, e) -> {
            ElectLeaders.Result r = result != null ? result : command.failed(Errors.REQUEST_TIMED_OUT, String.valueOf(e));
            ElectLeadersResponseData resp = r.errorCode() != Errors.NONE
                    ? errorResponse(req, r.errorCode(), r.errorMessage(), version)
                    : response(r, all);
            ctx.replicas().afterPendingChanges(() -> done.complete(KafkaResponse.of(resp)));
        });
        return done;
    }

    private ElectLeadersResponseData response(ElectLeaders.Result r, boolean all) {
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        for (ElectLeaders.PartitionError pe : r.partitions()) {
            byTopic.computeIfAbsent(pe.topic(), t -> new ReplicaElectionResult().setTopic(t)).partitionResult()
                    .add(new PartitionResult().setPartitionId(pe.partition()).setErrorCode(pe.errorCode())
                            .setErrorMessage(pe.errorCode() == Errors.NONE ? null : pe.errorMessage()));
        }
        if (all) {
            // Kafka's controller answers "every partition" with an entry for every topic.
            for (TopicImage t : ctx.metadata().image().topics()) {
                byTopic.computeIfAbsent(t.name(), name -> new ReplicaElectionResult().setTopic(name));
            }
        }
        return new ElectLeadersResponseData().setReplicaElectionResults(new ArrayList<>(byTopic.values()));
    }

    /** Kafka's ElectLeadersRequest.getErrorResponse: the error on the request (v1+) and on each partition named. */
    private static ElectLeadersResponseData errorResponse(ElectLeadersRequestData req, short error, String message,
                                                          short version) {
        ElectLeadersResponseData resp = new ElectLeadersResponseData();
        if (version >= 1) {
            resp.setErrorCode(error);
        }
        if (req.topicPartitions() != null) {
            for (ElectLeadersRequestData.TopicPartitions t : req.topicPartitions()) {
                ReplicaElectionResult tr = new ReplicaElectionResult().setTopic(t.topic());
                for (int p : t.partitions()) {
                    tr.partitionResult().add(new PartitionResult().setPartitionId(p).setErrorCode(error)
                            .setErrorMessage(message));
                }
                resp.replicaElectionResults().add(tr);
            }
        }
        return resp;
    }
}
