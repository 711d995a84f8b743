package io.sluice.server.handler;

import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.replication.ReplicaManager;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.storage.log.EpochEndOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;

/**
 * OffsetForLeaderEpoch (v2-4, KIP-101/279): the end offset of the largest epoch at or below the
 * one asked for, from the log's leader-epoch cache; consumers use it to detect truncation after
 * a leader change, followers to find where to truncate. Thread-safe.
 */
final class OffsetForLeaderEpochHandler implements ApiHandler {

    private final HandlerContext ctx;

    OffsetForLeaderEpochHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        OffsetForLeaderEpochRequestData req = request.bodyAs(OffsetForLeaderEpochRequestData.class);
        OffsetForLeaderEpochResponseData resp = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t : req.topics()) {
            TopicImage topic = ctx.metadata().image().topic(t.topic());
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult tr =
                    new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(t.topic());
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : t.partitions()) {
                OffsetForLeaderEpochResponseData.EpochEndOffset out = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                        .setPartition(p.partition()).setLeaderEpoch(-1).setEndOffset(-1);
                ReplicaManager.Lookup led = ctx.replicas().leader(t.topic(), p.partition(), p.currentLeaderEpoch());
                if (topic == null || topic.partition(p.partition()) == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (!led.found()) {
                    out.setErrorCode(led.errorCode());
                } else {
                    EpochEndOffset e = led.partition().log().endOffsetForEpoch(p.leaderEpoch());
                    out.setErrorCode(Errors.NONE).setLeaderEpoch(e.epoch()).setEndOffset(e.endOffset());
                }
                tr.partitions().add(out);
            }
            resp.topics().add(tr);
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }
}
