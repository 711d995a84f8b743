package io.sluice.chaos.fuzz;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * Builds well-formed request frames (size prefix excluded) for every advertised (api, version)
 * with kafka-clients' generated message classes: the default message of each api, plus richer
 * Produce, Fetch and Metadata requests aimed at the fuzz topic so mutations reach record
 * validation. Immutable after construction, thread-safe.
 */
public final class FrameFactory {
    public static final String FUZZ_TOPIC = "chaos-fuzz";

    private final List<byte[]> frames = new ArrayList<>();

    public FrameFactory(List<ApiVersionsProbe.Advertised> advertised) {
        int correlationId = 1000;
        for (ApiVersionsProbe.Advertised a : advertised) {
            ApiMessageType type;
            try {
                type = ApiMessageType.fromApiKey(a.apiKey());
            } catch (RuntimeException unknownToThisClient) {
                continue;
            }
            short lo = (short) Math.max(a.minVersion(), type.lowestSupportedVersion());
            short hi = (short) Math.min(a.maxVersion(), type.highestSupportedVersion(true));
            for (short v = lo; v <= hi; v++) {
                for (ApiMessage body : bodies(type, v)) {
                    try {
                        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(a.apiKey())
                                .setRequestApiVersion(v).setCorrelationId(correlationId++).setClientId("chaos-fuzz");
                        ByteBuffer buf = RequestUtils.serialize(header, type.requestHeaderVersion(v), body, v);
                        byte[] bytes = new byte[buf.remaining()];
                        buf.get(bytes);
                        frames.add(bytes);
                    } catch (RuntimeException notSerialisableAtThisVersion) {
                        // a default field that this version cannot carry: skip the combination
                    }
                }
            }
        }
    }

    private static List<ApiMessage> bodies(ApiMessageType type, short version) {
        List<ApiMessage> out = new ArrayList<>();
        out.add(type.newRequest());
        switch (type) {
            case PRODUCE -> {
                MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                        new SimpleRecord("fuzz-a".getBytes(StandardCharsets.UTF_8)),
                        new SimpleRecord("fuzz-b".getBytes(StandardCharsets.UTF_8)));
                ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
                topics.add(new ProduceRequestData.TopicProduceData().setName(FUZZ_TOPIC).setPartitionData(List.of(
                        new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
                out.add(new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000).setTopicData(topics));
            }
            case FETCH -> out.add(new FetchRequestData().setReplicaId(-1).setMaxWaitMs(10).setMinBytes(1)
                    .setMaxBytes(1 << 16).setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(FUZZ_TOPIC)
                            .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0)
                                    .setFetchOffset(0).setPartitionMaxBytes(1 << 16))))));
            case METADATA -> out.add(new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName(FUZZ_TOPIC))));
            default -> { }
        }
        return out;
    }

    public int size() {
        return frames.size();
    }

    /** A fresh copy of a random well-formed frame (callers mutate it). */
    public byte[] any(Random random) {
        return frames.get(random.nextInt(frames.size())).clone();
    }
}
