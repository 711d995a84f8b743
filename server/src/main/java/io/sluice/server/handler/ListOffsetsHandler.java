package io.sluice.server.handler;

import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.replication.Partition;
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
                tr.partitions().add(partition(topic, p, v));
            }
            resp.topics().add(tr);
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }

    private ListOffsetsPartitionResponse partition(TopicImage topic, ListOffsetsRequestData.ListOffsetsPartition p,
                                                   short v) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex())
                .setTimestamp(-1).setOffset(-1);
        if (v >= 4) {
            out.setLeaderEpoch(-1);
        }
        if (topic == null || topic.partition(p.partitionIndex()) == null) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Partition partition = ctx.replicas().partition(topic.name(), p.partitionIndex());
        if (partition == null) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        if (v >= 4 && p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != partition.leaderEpoch()) {
            return out.setErrorCode(p.currentLeaderEpoch() < partition.leaderEpoch()
                    ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH);
        }
        long ts = p.timestamp();
        out.setErrorCode(Errors.NONE);
        if (ts == TimestampOffset.LATEST_TIMESTAMP) {
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
