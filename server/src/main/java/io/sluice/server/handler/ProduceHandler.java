package io.sluice.server.handler;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.replication.Partition;
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
 * into the mapping), then answers per acks: 0 nothing, 1 after the leader's append, -1 once
 * the replica set has the batch (at once for a replica set of one) and only while the ISR has
 * min.insync.replicas members. Errors are per partition; an acks=0 request with an error closes
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
                        : produce(topic, v >= 13, pd, acks, pr, waits, client);
                pr.setErrorCode(error);
                if (error != Errors.NONE) {
                    anyError = true;
                    pr.setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
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
                          PartitionProduceResponse pr, List<CompletableFuture<Void>> waits, ClientInfo client) {
        if (topic == null) {
            return byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (topic.partition(pd.index()) == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        Partition p = ctx.replicas().partition(topic.name(), pd.index());
        if (p == null) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        if (!(pd.records() instanceof MemoryRecords records)) {
            return Errors.CORRUPT_MESSAGE;
        }
        if (acks == -1 && p.replicas().isrSize() < minInsyncReplicas(topic)) {
            return Errors.NOT_ENOUGH_REPLICAS;
        }
        ByteBuffer batch = records.buffer();
        Partition.Append a = p.appendAsLeader(batch);
        if (a.errorCode() != Errors.NONE) {
            if (a.errorMessage() != null || a.errorCode() == Errors.CORRUPT_MESSAGE
                    || a.errorCode() == Errors.INVALID_RECORD) {
                LOG.warn("Refused batch of {} bytes for {}-{} from {}: error {}{}", batch.remaining(), topic.name(),
                        pd.index(), client.remoteAddress(), a.errorCode(),
                        a.errorMessage() == null ? "" : " (" + a.errorMessage() + ")");
            }
            // Kafka (KIP-467) says why in the error message; the Java client puts it in its exception.
            pr.setErrorMessage(a.errorMessage());
            return a.errorCode();
        }
        pr.setBaseOffset(a.baseOffset()).setLogAppendTimeMs(a.logAppendTimeMs()).setLogStartOffset(a.logStartOffset());
        if (acks == -1) {
            waits.add(p.replicas().awaitReplicated(a.lastOffset()).toCompletableFuture());
        }
        return Errors.NONE;
    }

    private int minInsyncReplicas(TopicImage topic) {
        String v = topic.configs().get("min.insync.replicas");
        return v != null ? Integer.parseInt(v) : ctx.config().getInt(ServerConfigDef.MIN_INSYNC_REPLICAS);
    }
}
