package io.sluice.server.it;

import io.sluice.server.network.RawClient;
import io.sluice.server.protocol.ApiVersionsTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Hand-built requests over a {@link RawClient}, for cases a real client will not produce on demand. */
final class Raw {
    private Raw() { }

    static final short PRODUCE_VERSION = 12;

    static InitProducerIdResponseData initProducerId(RawClient c) throws IOException {
        c.send(ApiVersionsTable.INIT_PRODUCER_ID, (short) 4, 1,
                new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000));
        return c.read(ApiVersionsTable.INIT_PRODUCER_ID, (short) 4, InitProducerIdResponseData.class);
    }

    static MemoryRecords batch(long producerId, short epoch, int baseSequence, int count, String prefix) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, (prefix + i).getBytes());
        }
        return producerId < 0 ? MemoryRecords.withRecords(Compression.NONE, records)
                : MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence, records);
    }

    static ProduceResponseData.PartitionProduceResponse produce(RawClient c, String topic, int partition, ByteBuffer records)
            throws IOException {
        c.send(ApiVersionsTable.PRODUCE, PRODUCE_VERSION, 2, produceRequest(topic, partition, records));
        ProduceResponseData resp = c.read(ApiVersionsTable.PRODUCE, PRODUCE_VERSION, ProduceResponseData.class);
        return resp.responses().iterator().next().partitionResponses().get(0);
    }

    /** acks=all, one batch for one partition, addressed by name. */
    static ProduceRequestData produceRequest(String topic, int partition, ByteBuffer records) {
        ProduceRequestData req = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30000);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                .setRecords(MemoryRecords.readableRecords(records.duplicate())));
        req.topicData().add(td);
        return req;
    }

    static long latestOffset(RawClient c, String topic, int partition) throws IOException {
        ListOffsetsRequestData req = new ListOffsetsRequestData().setReplicaId(-1);
        req.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(-1))));
        c.send(ApiVersionsTable.LIST_OFFSETS, (short) 7, 3, req);
        ListOffsetsResponseData resp = c.read(ApiVersionsTable.LIST_OFFSETS, (short) 7, ListOffsetsResponseData.class);
        return resp.topics().get(0).partitions().get(0).offset();
    }
}
