package io.sluice.server.handler;

import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.replication.Partition;
import io.sluice.replication.ReplicaManager;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.storage.log.DeleteRecordsResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;

/**
 * DeleteRecords (v0-2): moves the log start offset; offset -1 means the high watermark. An
 * offset beyond the high watermark answers OFFSET_OUT_OF_RANGE. Thread-safe.
 */
final class DeleteRecordsHandler implements ApiHandler {

    private final HandlerContext ctx;

    DeleteRecordsHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        DeleteRecordsRequestData req = request.bodyAs(DeleteRecordsRequestData.class);
        DeleteRecordsResponseData resp = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic t : req.topics()) {
            TopicImage topic = ctx.metadata().image().topic(t.name());
            DeleteRecordsResponseData.DeleteRecordsTopicResult tr = new DeleteRecordsResponseData.DeleteRecordsTopicResult()
                    .setName(t.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : t.partitions()) {
                DeleteRecordsResponseData.DeleteRecordsPartitionResult pr = new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                ReplicaManager.Lookup led = ctx.replicas().leader(t.name(), p.partitionIndex(), -1);
                Partition partition = led.partition();
                if (topic == null || topic.partition(p.partitionIndex()) == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (!led.found()) {
                    pr.setErrorCode(led.errorCode());
                } else {
                    long hw = partition.highWatermark();
                    long offset = p.offset() == -1 ? hw : p.offset();
                    if (offset < 0 || offset > hw) {
                        pr.setErrorCode(Errors.OFFSET_OUT_OF_RANGE);
                    } else {
                        DeleteRecordsResult r = partition.log().deleteRecords(offset);
                        pr.setErrorCode(r.errorCode()).setLowWatermark(r.lowWatermark());
                    }
                }
                tr.partitions().add(pr);
            }
            resp.topics().add(tr);
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }
}
