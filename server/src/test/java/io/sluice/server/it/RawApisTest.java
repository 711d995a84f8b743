package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.network.RawClient;
import io.sluice.server.protocol.ApiVersionsTable;
import java.net.InetSocketAddress;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** APIs and versions the Java 4.4 client does not exercise, hand-built against a broker process. */
@Tag("slow")
@Timeout(120)
class RawApisTest {

    private static BrokerProcess broker;
    private static InetSocketAddress addr;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start();
        addr = new InetSocketAddress("localhost", broker.clientPort());
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("raw", 1, (short) 1))).all().get();
        }
        try (RawClient c = new RawClient(addr)) {
            Raw.produce(c, "raw", 0, Raw.batch(-1, (short) -1, -1, 3, "r").buffer());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void legacyAlterConfigsReplacesTopicConfigs() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            AlterConfigsRequestData req = new AlterConfigsRequestData();
            AlterConfigsRequestData.AlterConfigsResource r = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType((byte) 2).setResourceName("raw");
            r.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("12345"));
            req.resources().add(r);
            c.send(ApiVersionsTable.ALTER_CONFIGS, (short) 2, 1, req);
            AlterConfigsResponseData resp = c.read(ApiVersionsTable.ALTER_CONFIGS, (short) 2, AlterConfigsResponseData.class);
            assertThat(resp.responses().get(0).errorCode()).isZero();

            DescribeConfigsRequestData d = new DescribeConfigsRequestData();
            d.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                    .setResourceName("raw").setConfigurationKeys(List.of("retention.ms")));
            c.send(ApiVersionsTable.DESCRIBE_CONFIGS, (short) 4, 2, d);
            DescribeConfigsResponseData dr = c.read(ApiVersionsTable.DESCRIBE_CONFIGS, (short) 4, DescribeConfigsResponseData.class);
            assertThat(dr.results().get(0).configs()).hasSize(1);
            assertThat(dr.results().get(0).configs().get(0).value()).isEqualTo("12345");
        }
    }

    private static ElectLeadersRequestData electRequest(byte electionType, String topic, Integer... partitions) {
        ElectLeadersRequestData req = new ElectLeadersRequestData().setElectionType(electionType).setTimeoutMs(10_000);
        if (topic == null) {
            return req.setTopicPartitions(null);
        }
        req.topicPartitions().add(new ElectLeadersRequestData.TopicPartitions().setTopic(topic)
                .setPartitions(List.of(partitions)));
        return req;
    }

    private static ElectLeadersResponseData elect(RawClient c, short version, ElectLeadersRequestData req)
            throws Exception {
        c.send(ApiVersionsTable.ELECT_LEADERS, version, 1, req);
        return c.read(ApiVersionsTable.ELECT_LEADERS, version, ElectLeadersResponseData.class);
    }

    /** Kafka's answers, at every version: per-partition errors, "all partitions", an unknown election type. */
    @Test
    void electLeadersAnswersWithKafkasErrors() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            for (short v = 0; v <= 2; v++) {
                ElectLeadersResponseData named = elect(c, v, electRequest((byte) 0, "raw", 0, 7));
                assertThat(named.errorCode()).isZero();
                assertThat(named.replicaElectionResults()).hasSize(1);
                assertThat(named.replicaElectionResults().get(0).partitionResult())
                        .extracting(ElectLeadersResponseData.PartitionResult::partitionId,
                                ElectLeadersResponseData.PartitionResult::errorCode)
                        .as("ELECTION_NOT_NEEDED (84) for the led partition, UNKNOWN_TOPIC_OR_PARTITION (3) for 7")
                        .containsExactly(Tuple.tuple(0, (short) 84),
                                Tuple.tuple(7, (short) 3));

                ElectLeadersResponseData all = elect(c, v, electRequest((byte) 0, null));
                assertThat(all.errorCode()).isZero();
                assertThat(all.replicaElectionResults()).as("every topic is listed; partitions needing no election are not")
                        .anySatisfy(t -> assertThat(t.topic()).isEqualTo("raw"))
                        .allSatisfy(t -> assertThat(t.partitionResult()).isEmpty());

                assertThat(elect(c, v, new ElectLeadersRequestData()).replicaElectionResults()).isEmpty();
            }
            ElectLeadersResponseData unclean = elect(c, (short) 1, electRequest((byte) 1, "raw", 0));
            assertThat(unclean.replicaElectionResults().get(0).partitionResult().get(0).errorCode())
                    .as("a partition with a leader needs no unclean election").isEqualTo((short) 84);

            ElectLeadersResponseData bad = elect(c, (short) 2, electRequest((byte) 5, "raw", 0));
            assertThat(bad.errorCode()).as("INVALID_REQUEST (42)").isEqualTo((short) 42);
            assertThat(bad.replicaElectionResults().get(0).partitionResult().get(0).errorCode()).isEqualTo((short) 42);
            assertThat(elect(c, (short) 2, electRequest((byte) 5, null)).errorCode()).isEqualTo((short) 42);
        }
    }

    @Test
    void offsetForLeaderEpochAnswersTheEpochEnd() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            MetadataRequestData mreq = new MetadataRequestData();
            mreq.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("raw"));
            c.send(ApiVersionsTable.METADATA, (short) 12, 5, mreq);
            int epoch = c.read(ApiVersionsTable.METADATA, (short) 12, MetadataResponseData.class).topics().find("raw")
                    .partitions().get(0).leaderEpoch();
            OffsetForLeaderEpochRequestData req = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                    .setTopic("raw");
            t.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                    .setCurrentLeaderEpoch(epoch).setLeaderEpoch(epoch));
            req.topics().add(t);
            c.send(ApiVersionsTable.OFFSET_FOR_LEADER_EPOCH, (short) 4, 1, req);
            OffsetForLeaderEpochResponseData resp = c.read(ApiVersionsTable.OFFSET_FOR_LEADER_EPOCH, (short) 4,
                    OffsetForLeaderEpochResponseData.class);
            OffsetForLeaderEpochResponseData.EpochEndOffset e = resp.topics().iterator().next().partitions().get(0);
            assertThat(e.errorCode()).isZero();
            assertThat(e.leaderEpoch()).isEqualTo(epoch);
            assertThat(e.endOffset()).isEqualTo(3);

            t.partitions().get(0).setCurrentLeaderEpoch(epoch + 1);
            c.send(ApiVersionsTable.OFFSET_FOR_LEADER_EPOCH, (short) 4, 2, req);
            assertThat(c.read(ApiVersionsTable.OFFSET_FOR_LEADER_EPOCH, (short) 4, OffsetForLeaderEpochResponseData.class)
                    .topics().iterator().next().partitions().get(0).errorCode()).as("UNKNOWN_LEADER_EPOCH (Kafka's 75)").isEqualTo((short) 75);
        }
    }

    @Test
    void oldMetadataVersionsStillWork() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            for (short v : new short[] {0, 1, 4, 9, 13}) {
                MetadataRequestData req = new MetadataRequestData();
                req.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("raw"));
                c.send(ApiVersionsTable.METADATA, v, v, req);
                MetadataResponseData resp = c.read(ApiVersionsTable.METADATA, v, MetadataResponseData.class);
                assertThat(resp.brokers()).hasSize(1);
                assertThat(resp.topics().find("raw").partitions()).hasSize(1);
            }
        }
    }

    @Test
    void metadataLooksATopicUpByIdWhenTheNameIsLeftEmpty() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            MetadataRequestData byName = new MetadataRequestData();
            byName.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("raw"));
            c.send(ApiVersionsTable.METADATA, (short) 12, 1, byName);
            var topicId = c.read(ApiVersionsTable.METADATA, (short) 12, MetadataResponseData.class).topics().find("raw").topicId();
            // As kafka-clients' KIP-848 consumer asks for its assignment's topics: name "" and the id.
            MetadataRequestData byId = new MetadataRequestData();
            byId.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("").setTopicId(topicId));
            byId.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("").setTopicId(new Uuid(7, 7)));
            c.send(ApiVersionsTable.METADATA, (short) 12, 2, byId);
            MetadataResponseData resp = c.read(ApiVersionsTable.METADATA, (short) 12, MetadataResponseData.class);
            assertThat(resp.topics()).hasSize(2);
            assertThat(resp.topics().find("raw").errorCode()).isZero();
            assertThat(resp.topics()).anySatisfy(t -> assertThat(t.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code()));
        }
    }

    @Test
    void fetchByTopicIdAndByNameReturnTheSameBytes() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            MetadataRequestData mreq = new MetadataRequestData();
            mreq.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("raw"));
            c.send(ApiVersionsTable.METADATA, (short) 12, 1, mreq);
            var topicId = c.read(ApiVersionsTable.METADATA, (short) 12, MetadataResponseData.class).topics().find("raw").topicId();
            int[] sizes = new int[2];
            short[] versions = {12, 17};
            for (int i = 0; i < 2; i++) {
                FetchRequestData req = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                        .setSessionEpoch(-1).setReplicaId(-1);
                FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic();
                if (versions[i] >= 13) {
                    ft.setTopicId(topicId);
                } else {
                    ft.setTopic("raw");
                }
                ft.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
                req.topics().add(ft);
                c.send(ApiVersionsTable.FETCH, versions[i], 10 + i, req);
                FetchResponseData resp = c.read(ApiVersionsTable.FETCH, versions[i], FetchResponseData.class);
                FetchResponseData.PartitionData pd = resp.responses().get(0).partitions().get(0);
                assertThat(pd.errorCode()).isZero();
                assertThat(pd.highWatermark()).isEqualTo(3);
                sizes[i] = ((MemoryRecords) pd.records()).sizeInBytes();
            }
            assertThat(sizes[0]).isPositive().isEqualTo(sizes[1]);
        }
    }

    private static FetchRequestData fetchByName(String topic, int minBytes, int maxWaitMs, int maxBytes, int partitionMaxBytes,
                                                long offset, int... partitions) {
        FetchRequestData req = new FetchRequestData().setMaxWaitMs(maxWaitMs).setMinBytes(minBytes).setMaxBytes(maxBytes)
                .setSessionEpoch(-1).setReplicaId(-1);
        FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic().setTopic(topic);
        for (int p : partitions) {
            ft.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(offset)
                    .setPartitionMaxBytes(partitionMaxBytes).setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
        }
        req.topics().add(ft);
        return req;
    }

    @Test
    void longPollWaitsForMinBytesAndAnswersAtMaxWait() throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("minbytes", 1, (short) 1))).all().get();
        }
        int minBytes = 10_000;
        // max.wait.ms far beyond the test's timeout: only the appends can complete these fetches.
        int maxWaitMs = 600_000;
        try (RawClient fetcher = new RawClient(addr); RawClient producer = new RawClient(addr)) {
            fetcher.send(ApiVersionsTable.FETCH, (short) 12, 1, fetchByName("minbytes", minBytes, maxWaitMs, 1 << 20, 1 << 20, 0, 0));
            // Acknowledged before the next append is sent: a fetch woken by these few bytes would have
            // been answered with them alone.
            Raw.produce(producer, "minbytes", 0, Raw.batch(-1, (short) -1, -1, 1, "small").buffer());
            Raw.produce(producer, "minbytes", 0, Raw.batch(-1, (short) -1, -1, 100, "x".repeat(120)).buffer());
            FetchResponseData resp = fetcher.read(ApiVersionsTable.FETCH, (short) 12, FetchResponseData.class);
            assertThat(((MemoryRecords) resp.responses().get(0).partitions().get(0).records()).sizeInBytes())
                    .as("held until min.bytes had arrived, then answered with all of it").isGreaterThanOrEqualTo(minBytes);

            int moreThanStored = 500_000;
            fetcher.send(ApiVersionsTable.FETCH, (short) 12, 2, fetchByName("minbytes", moreThanStored, 300, 1 << 20, 1 << 20, 0, 0));
            resp = fetcher.read(ApiVersionsTable.FETCH, (short) 12, FetchResponseData.class);
            assertThat(((MemoryRecords) resp.responses().get(0).partitions().get(0).records()).sizeInBytes())
                    .as("answered at max.wait.ms with what there is, below min.bytes").isGreaterThanOrEqualTo(minBytes)
                    .isLessThan(moreThanStored);
        }
    }

    @Test
    void responseMaxBytesStopsAfterTheFirstPartitionWithData() throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("maxbytes", 2, (short) 1))).all().get();
        }
        try (RawClient c = new RawClient(addr)) {
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i < 3; i++) {
                    Raw.produce(c, "maxbytes", p, Raw.batch(-1, (short) -1, -1, 10, "x".repeat(100)).buffer());
                }
            }
            c.send(ApiVersionsTable.FETCH, (short) 12, 3, fetchByName("maxbytes", 1, 0, 10, 1 << 20, 0, 0, 1));
            FetchResponseData resp = c.read(ApiVersionsTable.FETCH, (short) 12, FetchResponseData.class);
            var parts = resp.responses().get(0).partitions();
            int first = ((MemoryRecords) parts.get(0).records()).sizeInBytes();
            int second = ((MemoryRecords) parts.get(1).records()).sizeInBytes();
            assertThat(first).as("one whole batch even over max bytes").isPositive();
            assertThat(((MemoryRecords) parts.get(0).records()).batches().iterator().next().lastOffset()).isEqualTo(9);
            assertThat(second).as("nothing once the response is full").isZero();
            assertThat(parts.get(1).highWatermark()).isEqualTo(30);
        }
    }
}
