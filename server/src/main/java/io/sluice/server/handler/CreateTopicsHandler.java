package io.sluice.server.handler;

import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.server.quota.ControllerMutationQuotaManager.MutationQuota;
import io.sluice.storage.TopicPartitionId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;

/**
 * CreateTopics (v2-7), including validate-only: defaults resolved here ({@code num.partitions},
 * {@code default.replication.factor} for -1, unless the request assigns replicas itself), names
 * checked, duplicates in one request refused with INVALID_REQUEST as Kafka does; the rest
 * (assignment, a replication factor above the registered brokers, config validation) is decided by
 * the metadata quorum. Each topic's partitions are charged to the client's controller mutation
 * quota (KIP-599): from v6 a topic over it is refused with THROTTLING_QUOTA_EXCEEDED, before v6 it
 * is created and the response throttled; a topic the quorum refuses is given back. The answer waits until the new partitions are led here, so a produce right
 * after the call finds them. Thread-safe.
 */
final class CreateTopicsHandler implements ApiHandler {

    /** KIP-599: from this version a topic over the controller mutation quota is refused. */
    private static final short STRICT_SINCE_VERSION = 6;

    private final HandlerContext ctx;

    CreateTopicsHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * The replicas of each partition by index, or null unless the indexes are 0..n-1 each once (an
     * index of 10^9 must not make the broker allocate a list that long).
     */
    private static List<List<Integer>> assignment(
            Collection<CreateTopicsRequestData.CreatableReplicaAssignment> assignments) {
        List<List<Integer>> out = new ArrayList<>(Collections.nCopies(assignments.size(), null));
        for (CreateTopicsRequestData.CreatableReplicaAssignment a : assignments) {
            int index = a.partitionIndex();
            if (index < 0 || index >= out.size() || out.get(index) != null) {
                return null;
            }
            out.set(index, List.copyOf(a.brokerIds()));
        }
        return out;
    }

    /** The partitions a topic creation adds: Kafka charges them to the controller mutation quota. */
    private static int mutations(int partitions, List<List<Integer>> assignment) {
        return Math.max(assignment.isEmpty() ? partitions : assignment.size(), 0);
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        CreateTopicsRequestData req = request.bodyAs(CreateTopicsRequestData.class);
        short v = request.apiVersion();
        CreateTopicsResponseData resp = new CreateTopicsResponseData();
        Map<String, CreatableTopicResult> results = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (CreateTopicsRequestData.CreatableTopic t : req.topics()) {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        }
        List<CreateTopics.NewTopic> toCreate = new ArrayList<>();
        MutationQuota quota = ctx.quotas().controllerMutation().newQuotaFor(request.clientId(), v, STRICT_SINCE_VERSION);
        for (CreateTopicsRequestData.CreatableTopic t : req.topics()) {
            CreatableTopicResult r = new CreatableTopicResult().setName(t.name());
            results.put(t.name(), r);
            if (duplicates.contains(t.name())) {
                r.setErrorCode(Errors.INVALID_REQUEST).setErrorMessage("Create topics request from client contains a duplicate topic");
                continue;
            }
            if (!TopicPartitionId.isValidTopicName(t.name())) {
                r.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION).setErrorMessage("Invalid topic name '" + t.name() + "'");
                continue;
            }
            List<List<Integer>> assignment = assignment(t.assignments());
            if (assignment == null) {
                r.setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT).setErrorMessage("The manual partition assignment must "
                        + "name each partition from 0 to " + (t.assignments().size() - 1) + " exactly once");
                continue;
            }
            // With an explicit assignment the counts stay as sent (-1): the quorum checks that they are,
            // as Kafka does, and takes both from the assignment.
            int partitions = t.numPartitions();
            short rf = t.replicationFactor();
            if (assignment.isEmpty()) {
                partitions = partitions == -1 ? ctx.config().getInt(ServerConfigDef.NUM_PARTITIONS) : partitions;
                rf = rf == -1 ? (short) ctx.config().getInt(ServerConfigDef.DEFAULT_REPLICATION_FACTOR) : rf;
            }
            Map<String, String> configs = new HashMap<>();
            String refusal = null;
            for (CreateTopicsRequestData.CreatableTopicConfig c : t.configs()) {
                configs.put(c.name(), c.value());
                refusal = refusal != null ? refusal : TopicConfigSupport.refusal(c.name(), c.value());
            }
            refusal = refusal != null ? refusal : TopicConfigSupport.conflict(configs);
            if (refusal != null) {
                r.setErrorCode(Errors.INVALID_CONFIG).setErrorMessage(refusal);
                continue;
            }
            if (!quota.tryRecord(mutations(partitions, assignment))) {
                r.setErrorCode(Errors.THROTTLING_QUOTA_EXCEEDED).setErrorMessage(MutationQuotas.EXCEEDED);
                continue;
            }
            toCreate.add(new CreateTopics.NewTopic(t.name(), partitions, rf, assignment, configs));
        }
        resp.setThrottleTimeMs(quota.throttleTimeMs());
        Set<String> added = new HashSet<>();
        for (CreateTopicsRequestData.CreatableTopic t : req.topics()) {
            if (added.add(t.name())) {
                resp.topics().add(results.get(t.name()));
            }
        }
        if (toCreate.isEmpty()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        CompletableFuture<KafkaResponse> done = new CompletableFuture<>();
        CreateTopics command = new CreateTopics(toCreate, req.validateOnly());
        ctx.metadata().submit(command).whenComplete((result, e) -> {
            CreateTopics.Result r = result != null ? result : command.failed(Errors.REQUEST_TIMED_OUT, String.valueOf(e));
            MetadataImage image = ctx.metadata().image();
            for (CreateTopics.TopicOutcome o : r.topics()) {
                if (o.errorCode() != Errors.NONE) {
                    toCreate.stream().filter(nt -> nt.name().equals(o.name())).findFirst()
                            .ifPresent(nt -> quota.unrecord(mutations(nt.numPartitions(), nt.assignment())));
                }
                CreatableTopicResult res = results.get(o.name());
                res.setErrorCode(o.errorCode()).setErrorMessage(o.errorCode() == Errors.NONE ? null : o.errorMessage());
                if (v >= 5 && o.errorCode() == Errors.NONE) {
                    res.setNumPartitions(o.numPartitions()).setReplicationFactor(o.replicationFactor());
                    Map<String, String> overrides = new HashMap<>();
                    for (CreateTopics.NewTopic nt : toCreate) {
                        if (nt.name().equals(o.name())) {
                            overrides.putAll(nt.configs());
                        }
                    }
                    for (TopicConfigs.Entry c : ctx.topicConfigs().describeTopic(overrides,
                            image.brokerConfigs().getOrDefault(Integer.toString(ctx.nodeId()), Map.of()),
                            image.brokerConfigs().getOrDefault("", Map.of()))) {
                        res.configs().add(new CreatableTopicConfigs().setName(c.name()).setValue(c.value())
                                .setConfigSource(c.source()).setReadOnly(c.readOnly()).setIsSensitive(false));
                    }
                }
                if (v >= 7 && o.topicId() != null) {
                    res.setTopicId(Uuids.toKafka(o.topicId()));
                }
            }
            resp.setThrottleTimeMs(quota.throttleTimeMs());
            // Answer once the partition-state thread has opened the new logs.
            ctx.replicas().afterPendingChanges(() -> done.complete(KafkaResponse.of(resp)));
        });
        return done;
    }
}
