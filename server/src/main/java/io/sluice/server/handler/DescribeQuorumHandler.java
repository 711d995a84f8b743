package io.sluice.server.handler;

import io.sluice.metadata.node.QuorumStatus;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;

/**
 * DescribeQuorum (v0-2, KIP-595/KIP-853): the metadata quorum's leader, its epoch (the Raft term),
 * high watermark (commit index) and voters, for partition 0 of {@code __cluster_metadata} as in
 * Kafka; any other partition gets UNKNOWN_TOPIC_OR_PARTITION, and no known leader
 * NOT_LEADER_OR_FOLLOWER, as Kafka's Raft client answers. Kafka's brokers forward the request to
 * the active controller; Sluice's quorum speaks Ratis, so each node answers from its own view:
 * the quorum leader gives every voter's progress, another node the leader, the epoch and its own
 * progress, the others' as unknown (-1, Kafka's value for it). Observers are not tracked (every
 * voter of a combined cluster is a voter, not an observer). v2's nodes are the voters at their
 * controller listener. Thread-safe.
 */
final class DescribeQuorumHandler implements ApiHandler {

    static final String METADATA_TOPIC = "__cluster_metadata";
    static final int METADATA_PARTITION = 0;

    private final Supplier<QuorumStatus> status;
    private final String controllerListenerName;

    /**
     * @param status                 the quorum as this node sees it
     * @param controllerListenerName the listener name the voters' endpoints carry in v2's nodes
     */
    DescribeQuorumHandler(Supplier<QuorumStatus> status, String controllerListenerName) {
        this.status = status;
        this.controllerListenerName = controllerListenerName;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        DescribeQuorumRequestData req = request.bodyAs(DescribeQuorumRequestData.class);
        QuorumStatus quorum = status.get();
        DescribeQuorumResponseData resp = new DescribeQuorumResponseData().setErrorCode(Errors.NONE);
        for (DescribeQuorumRequestData.TopicData t : req.topics()) {
            DescribeQuorumResponseData.TopicData out = new DescribeQuorumResponseData.TopicData()
                    .setTopicName(t.topicName());
            for (DescribeQuorumRequestData.PartitionData p : t.partitions()) {
                out.partitions().add(partition(t.topicName(), p.partitionIndex(), quorum));
            }
            resp.topics().add(out);
        }
        if (request.apiVersion() >= 2) {
            for (QuorumStatus.VoterProgress v : quorum.voters()) {
                DescribeQuorumResponseData.Node node = new DescribeQuorumResponseData.Node().setNodeId(v.voter().id());
                node.listeners().add(new DescribeQuorumResponseData.Listener().setName(controllerListenerName)
                        .setHost(v.voter().host()).setPort(v.voter().port()));
                resp.nodes().add(node);
            }
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }

    private static DescribeQuorumResponseData.PartitionData partition(String topic, int index, QuorumStatus quorum) {
        DescribeQuorumResponseData.PartitionData out = new DescribeQuorumResponseData.PartitionData()
                .setPartitionIndex(index);
        if (!METADATA_TOPIC.equals(topic) || index != METADATA_PARTITION) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (quorum.leaderId().isEmpty()) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER).setErrorMessage("the metadata quorum has no leader");
        }
        List<DescribeQuorumResponseData.ReplicaState> voters = quorum.voters().stream()
                .map(v -> new DescribeQuorumResponseData.ReplicaState().setReplicaId(v.voter().id())
                        .setReplicaDirectoryId(Uuid.ZERO_UUID).setLogEndOffset(v.logEndOffset())
                        .setLastFetchTimestamp(v.lastFetchMs()).setLastCaughtUpTimestamp(v.lastCaughtUpMs()))
                .toList();
        return out.setErrorCode(Errors.NONE).setLeaderId(quorum.leaderId().get())
                .setLeaderEpoch((int) Math.min(Integer.MAX_VALUE, quorum.leaderEpoch()))
                .setHighWatermark(quorum.highWatermark()).setCurrentVoters(voters);
    }
}
