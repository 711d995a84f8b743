package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.network.RawClient;
import io.sluice.server.protocol.ApiVersionsTable;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input against a broker process: each case gets Kafka's error or a closed connection, a log
 * line, leaves a second (well-behaved) client working, and changes nothing stored.
 */
@Tag("slow")
@Timeout(120)
class BadInputTest {

    private static final String TOPIC = "bad-input";
    private static BrokerProcess broker;
    private static InetSocketAddress addr;
    private RawClient bystander;
    private long endOffsetBefore;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start();
        addr = new InetSocketAddress("localhost", broker.clientPort());
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        try (RawClient c = new RawClient(addr)) {
            assertThat(Raw.produce(c, TOPIC, 0, Raw.batch(-1, (short) -1, -1, 3, "ok").buffer()).errorCode()).isZero();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            String log = broker.log();
            broker.close();
            assertThat(log).as("Netty buffer leaks").doesNotContain("LEAK:");
        }
    }

    @BeforeEach
    void openBystander() throws Exception {
        bystander = new RawClient(addr);
        endOffsetBefore = Raw.latestOffset(bystander, TOPIC, 0);
    }

    @AfterEach
    void bystanderStillServedAndNothingStoredChanged() throws Exception {
        bystander.send(ApiVersionsTable.METADATA, (short) 12, 77, new MetadataRequestData().setTopics(null));
        MetadataResponseData md = bystander.read(ApiVersionsTable.METADATA, (short) 12, MetadataResponseData.class);
        assertThat(md.topics().find(TOPIC)).isNotNull();
        assertThat(Raw.latestOffset(bystander, TOPIC, 0)).isEqualTo(endOffsetBefore);
        bystander.close();
        assertThat(broker.isAlive()).isTrue();
    }

    private static boolean closedAfter(byte[] bytes) throws Exception {
        try (RawClient c = new RawClient(addr)) {
            c.sendRaw(bytes);
            return c.closedByPeer();
        }
    }

    private static void awaitLog(String fragment) throws InterruptedException {
        for (int i = 0; i < 100 && !broker.log().contains(fragment); i++) {
            Thread.sleep(50);
        }
        assertThat(broker.log()).contains(fragment);
    }

    @Test
    void negativeFrameSizeClosesConnection() throws Exception {
        assertThat(closedAfter(ByteBuffer.allocate(4).putInt(-5).array())).isTrue();
        awaitLog("invalid frame size -5");
    }

    @Test
    void hugeFrameSizeClosesConnection() throws Exception {
        assertThat(closedAfter(ByteBuffer.allocate(4).putInt(104_857_601).array())).isTrue();
        awaitLog("invalid frame size 104857601");
    }

    @Test
    void truncatedFrameThenHangUpLeavesBrokerFine() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            c.sendRaw(ByteBuffer.allocate(10).putInt(500).putShort(ApiVersionsTable.PRODUCE).putShort((short) 9).array());
            c.shutdownOutput();
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void unknownApiKeyClosesConnection() throws Exception {
        assertThat(closedAfter(ByteBuffer.allocate(14).putInt(10).putShort((short) 999).putShort((short) 0).putInt(1)
                .putShort((short) -1).array())).isTrue();
        awaitLog("unknown or unsupported api key 999");
    }

    @Test
    void unsupportedProduceVersionClosesConnection() throws Exception {
        assertThat(closedAfter(ByteBuffer.allocate(14).putInt(10).putShort(ApiVersionsTable.PRODUCE).putShort((short) 2)
                .putInt(1).putShort((short) -1).array())).isTrue();
        awaitLog("Received request for api with key 0 (Produce) and unsupported version 2");
    }

    @Test
    void unsupportedApiVersionsVersionAnswersWithTheTable() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            c.sendRaw(ByteBuffer.allocate(14).putInt(10).putShort(ApiVersionsTable.API_VERSIONS).putShort((short) 99)
                    .putInt(8).putShort((short) -1).array());
            ApiVersionsResponseData r = c.read(ApiVersionsTable.API_VERSIONS, (short) 0, ApiVersionsResponseData.class);
            assertThat(r.errorCode()).isEqualTo((short) 35);
            assertThat(r.apiKeys().find(ApiVersionsTable.PRODUCE).maxVersion()).isEqualTo((short) 13);
            c.send(ApiVersionsTable.API_VERSIONS, (short) 3, 9, new ApiVersionsRequestData()
                    .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertThat(c.read(ApiVersionsTable.API_VERSIONS, (short) 3, ApiVersionsResponseData.class).errorCode()).isZero();
        }
    }

    @Test
    void unparsableBodyClosesConnection() throws Exception {
        assertThat(closedAfter(ByteBuffer.allocate(18).putInt(14).putShort(ApiVersionsTable.METADATA).putShort((short) 12)
                .putInt(1).putShort((short) -1).put((byte) 0).put((byte) 0x7f).put((byte) 1).put((byte) 0).array())).isTrue();
        awaitLog("unparsable Metadata v12 body");
    }

    @Test
    void batchWithBadCrcIsRefusedWithCorruptMessage() throws Exception {
        ByteBuffer batch = Raw.batch(-1, (short) -1, -1, 3, "crc").buffer();
        ByteBuffer bad = ByteBuffer.allocate(batch.remaining()).put(batch.duplicate()).flip();
        bad.put(bad.limit() - 1, (byte) (bad.get(bad.limit() - 1) ^ 0x5a));
        try (RawClient c = new RawClient(addr)) {
            PartitionProduceResponse r = Raw.produce(c, TOPIC, 0, bad);
            assertThat(r.errorCode()).isEqualTo((short) 2);
        }
        awaitLog("Refused batch");
    }

    @Test
    void batchWithWrongMagicIsRefusedWithInvalidRecord() throws Exception {
        ByteBuffer batch = Raw.batch(-1, (short) -1, -1, 3, "magic").buffer();
        ByteBuffer bad = ByteBuffer.allocate(batch.remaining()).put(batch.duplicate()).flip();
        bad.put(16, (byte) 1);
        try (RawClient c = new RawClient(addr)) {
            PartitionProduceResponse r = Raw.produce(c, TOPIC, 0, bad);
            assertThat(r.errorCode()).isEqualTo((short) 87);
        }
    }

    @Test
    void batchWithLengthBeyondItsBytesIsRefused() throws Exception {
        ByteBuffer batch = Raw.batch(-1, (short) -1, -1, 3, "len").buffer();
        ByteBuffer bad = ByteBuffer.allocate(batch.remaining()).put(batch.duplicate()).flip();
        bad.putInt(8, bad.getInt(8) + 100);
        try (RawClient c = new RawClient(addr)) {
            assertThat(Raw.produce(c, TOPIC, 0, bad).errorCode()).isEqualTo((short) 2);
        }
    }

    @Test
    void batchOverMessageMaxBytesIsRefused() throws Exception {
        StringBuilder big = new StringBuilder();
        big.append("x".repeat(1_100_000));
        ByteBuffer batch = MemoryRecords.withRecords(
                Compression.NONE,
                new SimpleRecord(big.toString().getBytes())).buffer();
        try (RawClient c = new RawClient(addr)) {
            assertThat(Raw.produce(c, TOPIC, 0, batch).errorCode()).isEqualTo((short) 10);
        }
    }
}
