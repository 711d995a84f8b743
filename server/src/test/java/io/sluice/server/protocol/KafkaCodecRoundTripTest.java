package io.sluice.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;
import io.sluice.storage.log.FileSlice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every advertised (api key, version) survives encode → parse for requests and responses. */
@Timeout(60)
class KafkaCodecRoundTripTest {

    private static final ApiVersionsTable TABLE = ApiVersionsTable.sluice();
    private final KafkaCodec codec = new KafkaCodec(TABLE);

    static Stream<Arguments> advertised() {
        List<Arguments> out = new ArrayList<>();
        for (ApiVersionsTable.Range r : TABLE.all()) {
            for (short v = r.minVersion(); v <= r.maxVersion(); v++) {
                out.add(Arguments.of(r.apiKey(), v));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "api {0} v{1}")
    @MethodSource("advertised")
    void emptyRequestRoundTrips(short apiKey, short version) {
        ApiMessage body = ApiMessageType.fromApiKey(apiKey).newRequest();
        ParseResult parsed = parse(KafkaCodec.encodeRequest(apiKey, version, 42, "test-client", body));
        assertThat(parsed).isInstanceOf(ParseResult.Parsed.class);
        KafkaRequest req = ((ParseResult.Parsed) parsed).request();
        assertThat(req.apiKey()).isEqualTo(apiKey);
        assertThat(req.apiVersion()).isEqualTo(version);
        assertThat(req.correlationId()).isEqualTo(42);
        assertThat(req.body()).isEqualTo(body);
    }

    @ParameterizedTest(name = "api {0} v{1}")
    @MethodSource("advertised")
    void emptyResponseRoundTrips(short apiKey, short version) {
        ApiMessage body = ApiMessageType.fromApiKey(apiKey).newResponse();
        ApiMessage decoded = encodeDecode(apiKey, version, body);
        assertThat(decoded).isEqualTo(body);
    }

    @Test
    void produceRequestWithRecordsRoundTripsByNameAndById() {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, "k".getBytes(), "v".getBytes()));
        for (short v = 3; v <= 13; v++) {
            ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData();
            if (v >= 13) {
                td.setTopicId(Uuid.randomUuid());
            } else {
                td.setName("orders");
            }
            td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(3).setRecords(records));
            ProduceRequestData body = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(3000);
            body.topicData().add(td);
            ParseResult parsed = parse(KafkaCodec.encodeRequest(ApiVersionsTable.PRODUCE, v, 7, "c", body));
            ProduceRequestData back = ((ParseResult.Parsed) parsed).request().bodyAs(ProduceRequestData.class);
            ProduceRequestData.TopicProduceData btd = back.topicData().iterator().next();
            assertThat(v >= 13 ? btd.topicId() : btd.name()).isEqualTo(v >= 13 ? td.topicId() : "orders");
            MemoryRecords got = (MemoryRecords) btd.partitionData().get(0).records();
            assertThat(got.buffer()).isEqualTo(records.buffer());
        }
    }

    @Test
    void fetchResponseSendsLargeRecordSetsAsZeroCopyComponent() {
        byte[] value = new byte[8192];
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, null, value));
        ByteBuffer direct = ByteBuffer.allocateDirect(records.sizeInBytes());
        direct.put(records.buffer().duplicate()).flip();
        for (short v = 4; v <= 18; v++) {
            FetchResponseData body = new FetchResponseData();
            FetchResponseData.FetchableTopicResponse t = new FetchResponseData.FetchableTopicResponse();
            if (v >= 13) {
                t.setTopicId(Uuid.randomUuid());
            } else {
                t.setTopic("orders");
            }
            t.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(1)
                    .setRecords(MemoryRecords.readableRecords(direct.duplicate())));
            body.responses().add(t);
            ByteBuf encoded = onlyBuffer(codec.encodeResponse(UnpooledByteBufAllocator.DEFAULT, 9,
                    headerVersion(ApiVersionsTable.FETCH, v), body, v));
            try {
                assertThat(encoded).isInstanceOf(CompositeByteBuf.class);
                boolean shared = false;
                CompositeByteBuf composite = (CompositeByteBuf) encoded;
                for (int i = 0; i < composite.numComponents(); i++) {
                    ByteBuf c = composite.internalComponent(i);
                    if (c.nioBufferCount() == 1 && c.hasMemoryAddress() && c.isDirect()
                            && c.memoryAddress() == PlatformDependent.directBufferAddress(direct)) {
                        shared = true;
                    }
                }
                assertThat(shared).as("records component is the original buffer, not a copy (v%d)", v).isTrue();
                FetchResponseData back = (FetchResponseData) decode(encoded, ApiVersionsTable.FETCH, v);
                MemoryRecords got = (MemoryRecords) back.responses().get(0).partitions().get(0).records();
                assertThat(got.buffer()).isEqualTo(records.buffer());
            } finally {
                encoded.release();
            }
        }
    }

    @Test
    void fetchResponseSendsAFileSliceAsAFileRegionBetweenBuffers(@TempDir Path dir) throws IOException {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, null, new byte[70_000]));
        Path segment = dir.resolve("00000000000000000000.log");
        byte[] before = new byte[123]; // the slice starts inside the file, as a fetch from an offset does
        Files.write(segment, before);
        Files.write(segment, Arrays.copyOfRange(records.buffer().array(), 0, records.sizeInBytes()),
                StandardOpenOption.APPEND);
        for (short v = 4; v <= 18; v++) {
            FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ);
            FetchResponseData body = new FetchResponseData();
            FetchResponseData.FetchableTopicResponse t = new FetchResponseData.FetchableTopicResponse().setTopic("orders")
                    .setTopicId(Uuid.randomUuid());
            t.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(1)
                    .setRecords(new FileSliceRecords(new FileSlice(channel, before.length, records.sizeInBytes()))));
            body.responses().add(t);
            List<Object> parts = codec.encodeResponse(UnpooledByteBufAllocator.DEFAULT, 9,
                    headerVersion(ApiVersionsTable.FETCH, v), body, v);
            ByteBuf frame = Unpooled.buffer();
            try {
                assertThat(parts).as("v%d", v).hasSizeBetween(2, 3);
                assertThat(parts.get(1)).isInstanceOf(FileRegion.class);
                for (Object part : parts) {
                    if (part instanceof FileRegion region) {
                        ByteBuffer bytes = ByteBuffer.allocate((int) region.count());
                        channel.read(bytes, region.position());
                        frame.writeBytes(bytes.flip());
                    } else {
                        frame.writeBytes((ByteBuf) part);
                    }
                }
                FetchResponseData back = (FetchResponseData) decode(frame, ApiVersionsTable.FETCH, v);
                MemoryRecords got = (MemoryRecords) back.responses().get(0).partitions().get(0).records();
                assertThat(got.buffer()).isEqualTo(records.buffer());
            } finally {
                frame.release();
                parts.forEach(ReferenceCountUtil::release);
            }
            assertThat(channel.isOpen()).as("the file region closes its channel once released").isFalse();
        }
    }

    @Test
    void metadataResponseWithBrokersAndTopicsRoundTripsInEveryVersion() {
        for (short v = 0; v <= 13; v++) {
            MetadataResponseData body = new MetadataResponseData();
            body.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("localhost").setPort(9092));
            MetadataResponseData.MetadataResponseTopic t = new MetadataResponseData.MetadataResponseTopic().setName("orders");
            t.partitions().add(new MetadataResponseData.MetadataResponsePartition().setPartitionIndex(0).setLeaderId(1)
                    .setReplicaNodes(List.of(1)).setIsrNodes(List.of(1)));
            body.topics().add(t);
            MetadataResponseData back = (MetadataResponseData) encodeDecode(ApiVersionsTable.METADATA, v, body);
            assertThat(back.brokers().find(1).host()).isEqualTo("localhost");
            assertThat(back.topics().find("orders").partitions().get(0).leaderId()).isEqualTo(1);
        }
    }

    @Test
    void unknownApiKeyIsInvalid() {
        ByteBuffer frame = ByteBuffer.allocate(12).putShort((short) 9999).putShort((short) 0).putInt(1).putShort((short) -1).flip();
        assertThat(codec.parse(frame)).isInstanceOf(ParseResult.Invalid.class);
    }

    @Test
    void unadvertisedApiIsInvalidEvenIfTheJarKnowsIt() {
        ApiMessage body = ApiMessageType.SASL_HANDSHAKE.newRequest();
        ByteBuffer req = KafkaCodec.encodeRequest(ApiMessageType.SASL_HANDSHAKE.apiKey(), (short) 1, 1, "c", body);
        assertThat(parse(req)).isInstanceOf(ParseResult.Invalid.class);
    }

    @Test
    void unsupportedVersionOfProduceIsInvalidButOfApiVersionsIsAnswered() {
        ByteBuffer produce = ByteBuffer.allocate(10).putShort(ApiVersionsTable.PRODUCE).putShort((short) 2).putInt(5)
                .putShort((short) -1).flip();
        assertThat(codec.parse(produce)).isInstanceOf(ParseResult.Invalid.class);
        ByteBuffer apiVersions = ByteBuffer.allocate(10).putShort(ApiVersionsTable.API_VERSIONS).putShort((short) 99)
                .putInt(5).putShort((short) -1).flip();
        assertThat(codec.parse(apiVersions)).isEqualTo(new ParseResult.UnsupportedApiVersions(5, (short) 99));
    }

    @Test
    void bytesAfterTheBodyAreIgnoredAsKafkaIgnoresThem() {
        for (short v = 1; v <= 13; v++) {
            ByteBuffer req = KafkaCodec.encodeRequest(ApiVersionsTable.METADATA, v, 1, "c",
                    new MetadataRequestData().setTopics(null));
            req.getInt();
            ByteBuffer longer = ByteBuffer.allocate(req.remaining() + 3).put(req).put(new byte[] {1, 0, 0}).flip();
            ParseResult parsed = codec.parse(longer);
            assertThat(parsed).as("v%d", v).isInstanceOf(ParseResult.Parsed.class);
            assertThat(((ParseResult.Parsed) parsed).request().bodyAs(MetadataRequestData.class).topics()).isNull();
        }
    }

    @Test
    void produceV0To2IsAdvertisedButNotParsed() {
        ApiVersionsTable.Range produce = TABLE.range(ApiVersionsTable.PRODUCE);
        assertThat(produce.advertisedMinVersion()).isZero();
        assertThat(produce.minVersion()).isEqualTo((short) 3);
        ByteBuffer v2 = ByteBuffer.allocate(10).putShort(ApiVersionsTable.PRODUCE).putShort((short) 2).putInt(5)
                .putShort((short) -1).flip();
        assertThat(codec.parse(v2)).isEqualTo(new ParseResult.Invalid(
                "Received request for api with key 0 (Produce) and unsupported version 2 (serving 3-13)"));
    }

    @Test
    void apiVersionsResponseWithFeaturesRoundTripsInEveryVersion() {
        for (short v = 0; v <= 5; v++) {
            ApiVersionsResponseData body = new ApiVersionsResponseData().setFinalizedFeaturesEpoch(0);
            body.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey((short) 0).setMinVersion((short) 0)
                    .setMaxVersion((short) 13));
            body.supportedFeatures().add(new ApiVersionsResponseData.SupportedFeatureKey().setName("metadata.version")
                    .setMinVersion((short) 7).setMaxVersion((short) 7));
            body.finalizedFeatures().add(new ApiVersionsResponseData.FinalizedFeatureKey().setName("metadata.version")
                    .setMinVersionLevel((short) 7).setMaxVersionLevel((short) 7));
            ApiVersionsResponseData back = (ApiVersionsResponseData) encodeDecode(ApiVersionsTable.API_VERSIONS, v, body);
            assertThat(back.apiKeys().find((short) 0).minVersion()).isZero();
            assertThat(back.supportedFeatures()).hasSize(v >= 3 ? 1 : 0);
            assertThat(back.finalizedFeatures()).hasSize(v >= 3 ? 1 : 0);
        }
    }

    @Test
    void deleteGroupsV3CarriesTheErrorMessage() {
        for (short v = 0; v <= 3; v++) {
            DeleteGroupsResponseData body = new DeleteGroupsResponseData();
            body.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId("g").setErrorCode((short) 68)
                    .setErrorMessage("The group is not empty."));
            DeleteGroupsResponseData back = (DeleteGroupsResponseData) encodeDecode((short) 42, v, body);
            assertThat(back.results().find("g").errorCode()).isEqualTo((short) 68);
            assertThat(back.results().find("g").errorMessage()).isEqualTo(v >= 3 ? "The group is not empty." : null);
        }
    }

    @Test
    void truncatedBodyIsInvalid() {
        ByteBuffer req = KafkaCodec.encodeRequest(ApiVersionsTable.METADATA, (short) 12, 1, "c",
                ApiMessageType.METADATA.newRequest());
        req.getInt();
        ByteBuffer cut = req.slice();
        cut.limit(cut.limit() - 1);
        assertThat(codec.parse(cut)).isInstanceOf(ParseResult.Invalid.class);
    }

    private ParseResult parse(ByteBuffer withSize) {
        ByteBuffer frame = withSize.duplicate();
        int size = frame.getInt();
        assertThat(frame.remaining()).isEqualTo(size);
        return codec.parse(frame.slice());
    }

    private ApiMessage encodeDecode(short apiKey, short version, ApiMessage body) {
        ByteBuf encoded = onlyBuffer(codec.encodeResponse(UnpooledByteBufAllocator.DEFAULT, 9, headerVersion(apiKey, version),
                body, version));
        try {
            return decode(encoded, apiKey, version);
        } finally {
            encoded.release();
        }
    }

    /** A response without file slices is one buffer. */
    private static ByteBuf onlyBuffer(List<Object> parts) {
        assertThat(parts).hasSize(1);
        return (ByteBuf) parts.get(0);
    }

    private static ApiMessage decode(ByteBuf encoded, short apiKey, short version) {
        ByteBuffer copy = ByteBuffer.allocate(encoded.readableBytes());
        encoded.getBytes(encoded.readerIndex(), copy);
        copy.flip();
        assertThat(copy.getInt()).isEqualTo(copy.remaining());
        return KafkaCodec.decodeResponse(copy.slice(), apiKey, version);
    }

    private static short headerVersion(short apiKey, short version) {
        return ApiMessageType.fromApiKey(apiKey).responseHeaderVersion(version);
    }
}
