package io.sluice.server.handler;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.replication.Partition;
import io.sluice.replication.ReplicaManager;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce v3-13 (v0-2 are advertised for librdkafka's codec detection but close the connection, as
 * in Kafka 4.4): appends each partition's one batch on the calling event loop (an append is a copy
 * into the mapping), then answers per acks: 0 nothing, 1 after the leader's append, -1 once the
 * high watermark passed the batch (the partition parks it until then, or REQUEST_TIMED_OUT after
 * the request's timeoutMs), refused with NOT_ENOUGH_REPLICAS while the ISR is below
 * min.insync.replicas. Errors are per partition; an acks=0 request with an error closes
 * the connection, as Kafka does, since the client cannot otherwise learn of it. v13 addresses
 * topics by id. Thread-safe.
 */
final class ProduceHandler implements ApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);

    private final HandlerContext ctx;

    ProduceHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        ProduceRequestData req = request.bodyAs(ProduceRequestData.class);
        short v = request.apiVersion();
        short acks = req.acks();
        boolean acksValid = acks == 0 || acks == 1 || acks == -1;
        MetadataImage image = ctx.metadata().image();
        ProduceResponseData resp = new ProduceResponseData();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        boolean anyError = false;
        for (ProduceRequestData.TopicProduceData td : req.topicData()) {
            TopicImage topic = v >= 13 ? image.topic(Uuids.fromKafka(td.topicId())) : image.topic(td.name());
            TopicProduceResponse tr = new TopicProduceResponse();
            if (v >= 13) {
                tr.setTopicId(td.topicId());
            } else {
                tr.setName(td.name());
            }
            for (ProduceRequestData.PartitionProduceData pd : td.partitionData()) {
                PartitionProduceResponse pr = new PartitionProduceResponse().setIndex(pd.index());
                short error = !acksValid ? Errors.INVALID_REQUIRED_ACKS
                        : produce(topic, v >= 13, pd, acks, req.timeoutMs(), pr, waits, client);
                if (error != Errors.NONE) {
                    // Set here only when refused: a waiting acks=all append fills its own response later.
                    anyError = true;
                    pr.setErrorCode(error).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                }
                tr.partitionResponses().add(pr);
            }
            resp.responses().add(tr);
        }
        if (acks == 0) {
            if (anyError) {
                return CompletableFuture.failedFuture(new IllegalStateException("acks=0 produce failed on a partition"));
            }
            return CompletableFuture.completedFuture(KafkaResponse.none());
        }
        if (waits.isEmpty()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenApply(x -> KafkaResponse.of(resp));
    }

    private short produce(TopicImage topic, boolean byId, ProduceRequestData.PartitionProduceData pd, short acks,
                          int timeoutMs, PartitionProduceResponse pr, List<CompletableFuture<Void>> waits,
                          ClientInfo client) {
        if (topic == null) {
            return byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (topic.partition(pd.index()) == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        ReplicaManager.Lookup led = ctx.replicas().leader(topic.name(), pd.index(), -1);
        if (!led.found()) {
            return led.errorCode();
        }
        if (!(pd.records() instanceof MemoryRecords records)) {
            return Errors.CORRUPT_MESSAGE;
        }
        ByteBuffer batch = records.buffer();
        CompletableFuture<Partition.Append> appended = led.partition().append(batch, acks, timeoutMs).toCompletableFuture();
        if (!appended.isDone()) {
            // acks=all waiting for the high watermark: the response is filled in when it passes the batch.
            waits.add(appended.thenAccept(a -> fill(pr, a, topic, pd.index(), batch.remaining(), client)));
            return Errors.NONE;
        }
        return fill(pr, appended.join(), topic, pd.index(), batch.remaining(), client);
    }

    private short fill(PartitionProduceResponse pr, Partition.Append a, TopicImage topic, int partition,
                       int batchBytes, ClientInfo client) {
        boolean failed = a.errorCode() != Errors.NONE;
        boolean appended = !failed && !a.duplicate(); // a retried idempotent batch is answered, not stored again
        ctx.topicMetrics().produced(topic.name(), appended ? batchBytes : 0,
                appended ? a.lastOffset() - a.baseOffset() + 1 : 0, failed);
        if (failed) {
            pr.setErrorCode(a.errorCode());
            if (a.errorMessage() != null || a.errorCode() == Errors.CORRUPT_MESSAGE
                    || a.errorCode() == Errors.INVALID_RECORD) {
                LOG.warn("Refused batch of {} bytes for {}-{} from {}: error {}{}", batchBytes, topic.name(),
                        partition, client.remoteAddress(), a.errorCode(),
                        a.errorMessage() == null ? "" : " (" + a.errorMessage() + ")");
            }
            // Kafka (KIP-467) says why in the error message; the Java client puts it in its exception.
            pr.setErrorMessage(a.errorMessage());
            pr.setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
            return a.errorCode();
        }
        pr.setBaseOffset(a.baseOffset()).setLogAppendTimeMs(a.logAppendTimeMs()).setLogStartOffset(a.logStartOffset());
        return Errors.NONE;
    }
}
