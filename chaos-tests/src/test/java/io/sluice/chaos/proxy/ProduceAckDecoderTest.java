package io.sluice.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder against frames kafka-clients' own message classes serialize, fed in the chunk sizes
 * a socket may give: it must name exactly the partitions a Produce response acknowledged.
 */
@Timeout(30)
class ProduceAckDecoderTest {
    private static final short PRODUCE_BY_NAME = 12;
    private static final short PRODUCE_BY_ID = 13;
    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    private final List<ProduceAck> acks = new ArrayList<>();
    private final ProduceAckDecoder decoder = new ProduceAckDecoder(acks::add);
    private final ByteArrayOutputStream toBroker = new ByteArrayOutputStream();
    private final ByteArrayOutputStream toClient = new ByteArrayOutputStream();

    private static void frame(ByteArrayOutputStream out, ByteBuffer body) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(0, body.remaining()).array());
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        out.writeBytes(bytes);
    }

    private void request(ApiKeys api, short version, int correlationId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("chaos-p");
        frame(toBroker, RequestUtils.serialize(header, api.requestHeaderVersion(version), body, version));
    }

    private void produceRequest(short version, int correlationId) {
        request(ApiKeys.PRODUCE, version, correlationId, new ProduceRequestData().setAcks((short) -1).setTimeoutMs(1000));
    }

    private void produceResponse(short version, int correlationId, String topic, Uuid topicId, int partition,
                                 Errors error, long baseOffset) {
        ProduceResponseData.TopicProduceResponseCollection topics = new ProduceResponseData.TopicProduceResponseCollection();
        topics.add(new ProduceResponseData.TopicProduceResponse().setName(topic).setTopicId(topicId)
                .setPartitionResponses(List.of(new ProduceResponseData.PartitionProduceResponse().setIndex(partition)
                        .setErrorCode(error.code()).setBaseOffset(baseOffset))));
        frame(toClient, RequestUtils.serialize(new ResponseHeaderData().setCorrelationId(correlationId),
                ApiKeys.PRODUCE.responseHeaderVersion(version), new ProduceResponseData().setResponses(topics), version));
    }

    private static void feed(byte[] bytes, int chunkBytes, java.util.function.Consumer<ByteBuffer> to) {
        for (int i = 0; i < bytes.length; i += chunkBytes) {
            to.accept(ByteBuffer.wrap(bytes, i, Math.min(chunkBytes, bytes.length - i)));
        }
    }

    private void deliver(int chunkBytes) {
        feed(toBroker.toByteArray(), chunkBytes, decoder::clientToBroker);
        toBroker.reset();
        feed(toClient.toByteArray(), chunkBytes, decoder::brokerToClient);
        toClient.reset();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 4096})
    void namesThePartitionsAProduceResponseAcknowledgedWhateverTheChunking(int chunkBytes) {
        request(ApiKeys.METADATA, (short) 12, 1, new MetadataRequestData());
        produceRequest(PRODUCE_BY_NAME, 2);
        produceRequest(PRODUCE_BY_ID, 3);
        produceRequest(PRODUCE_BY_NAME, 4);
        // A response to a non-produce request with a correlation id's worth of bytes and more: skipped by its length.
        frame(toClient, ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9}));
        produceResponse(PRODUCE_BY_NAME, 2, "acksall", Uuid.ZERO_UUID, 0, Errors.NONE, 10);
        produceResponse(PRODUCE_BY_ID, 3, "", TOPIC_ID, 1, Errors.NONE, 20);
        produceResponse(PRODUCE_BY_NAME, 4, "acksall", Uuid.ZERO_UUID, 0, Errors.NOT_LEADER_OR_FOLLOWER, -1);

        deliver(chunkBytes);

        assertThat(acks).containsExactly(new ProduceAck("acksall", Uuid.ZERO_UUID, 0, 10),
                new ProduceAck("", TOPIC_ID, 1, 20));
    }

    @Test
    void aResponseWithoutAProduceRequestAcknowledgesNothing() {
        produceResponse(PRODUCE_BY_NAME, 7, "acksall", Uuid.ZERO_UUID, 0, Errors.NONE, 10);
        deliver(64);

        assertThat(acks).isEmpty();
    }

    @Test
    void onlyTheLatestProduceCorrelationIdsAreRemembered() {
        // acks=0 produces get no response: their ids must not pile up without bound.
        for (int c = 0; c <= ProduceAckDecoder.PENDING_PRODUCES_MAX; c++) {
            produceRequest(PRODUCE_BY_NAME, c);
        }
        produceResponse(PRODUCE_BY_NAME, 0, "acksall", Uuid.ZERO_UUID, 0, Errors.NONE, 1);
        produceResponse(PRODUCE_BY_NAME, ProduceAckDecoder.PENDING_PRODUCES_MAX, "acksall", Uuid.ZERO_UUID, 0,
                Errors.NONE, 2);
        deliver(4096);

        assertThat(acks).containsExactly(new ProduceAck("acksall", Uuid.ZERO_UUID, 0, 2));
    }

    @Test
    void aConnectionWhoseFramingBreaksIsNoLongerWatched() {
        produceRequest(PRODUCE_BY_NAME, 2);
        toBroker.writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe, 1, 2, 3}); // size -2
        produceRequest(PRODUCE_BY_NAME, 3);
        produceResponse(PRODUCE_BY_NAME, 2, "acksall", Uuid.ZERO_UUID, 0, Errors.NONE, 10);
        deliver(4096);

        assertThat(acks).isEmpty();
    }
}
