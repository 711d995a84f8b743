package io.sluice.server.handler;

import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.replication.Partition;
import io.sluice.replication.ReplicaManager;
import io.sluice.replication.role.LeaderRole;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.storage.log.TimestampOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;

/**
 * ListOffsets (v1-10): earliest (-2), latest (-1, the high watermark), max timestamp (-3),
 * earliest local (-4), or the first record at or after a timestamp (record granularity, as Kafka). Other
 * negative sentinels (tiered storage's -5) answer "no offset" (-1), as a broker without remote
 * storage does. Thread-safe.
 */
final class ListOffsetsHandler implements ApiHandler {

    private final HandlerContext ctx;

    ListOffsetsHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        ListOffsetsRequestData req = request.bodyAs(ListOffsetsRequestData.class);
        short v = request.apiVersion();
        ListOffsetsResponseData resp = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic t : req.topics()) {
            TopicImage topic = ctx.metadata().image().topic(t.name());
            ListOffsetsTopicResponse tr = new ListOffsetsTopicResponse().setName(t.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : t.partitions()) {
                tr.partitions().add(partition(topic, p, v, req.replicaId() >= 0));
            }
            resp.topics().add(tr);
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }

    private ListOffsetsPartitionResponse partition(TopicImage topic, ListOffsetsRequestData.ListOffsetsPartition p, short v,
                                                   boolean fromReplica) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex())
                .setTimestamp(-1).setOffset(-1);
        if (v >= 4) {
            out.setLeaderEpoch(-1);
        }
        if (topic == null || topic.partition(p.partitionIndex()) == null) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        ReplicaManager.Lookup led = ctx.replicas().leader(topic.name(), p.partitionIndex(),
                v >= 4 ? p.currentLeaderEpoch() : -1);
        if (!led.found()) {
            return out.setErrorCode(led.errorCode());
        }
        Partition partition = led.partition();
        long ts = p.timestamp();
        out.setErrorCode(Errors.NONE);
        if (ts == TimestampOffset.LATEST_TIMESTAMP) {
            if (fromReplica) {
                // A follower asks where the leader's log ends (Kafka answers replicas with the log end offset).
                return out.setOffset(partition.logEndOffset()).setLeaderEpoch(partition.leaderEpoch());
            }
            if (partition.role() instanceof LeaderRole leader && partition.highWatermark() < leader.epochStartOffset()) {
                // A new leader has not yet committed what older epochs left above its high watermark (Kafka: OFFSET_NOT_AVAILABLE).
                return out.setErrorCode(Errors.OFFSET_NOT_AVAILABLE);
            }
            out.setOffset(partition.highWatermark());
            if (v >= 4) {
                out.setLeaderEpoch(partition.leaderEpoch());
            }
            return out;
        }
        if (ts < TimestampOffset.EARLIEST_LOCAL_TIMESTAMP) {
            return out;
        }
        TimestampOffset found = partition.log().offsetForTimestamp(ts);
        if (found.errorCode() != Errors.NONE) {
            return out.setErrorCode(found.errorCode());
        }
        out.setOffset(found.offset()).setTimestamp(found.timestamp());
        if (v >= 4) {
            out.setLeaderEpoch(found.leaderEpoch());
        }
        return out;
    }
}
