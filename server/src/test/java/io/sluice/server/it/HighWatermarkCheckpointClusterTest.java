package io.sluice.server.it;

import static io.sluice.server.it.Clients.partition0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.network.RawClient;
import io.sluice.server.protocol.ApiVersionsTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The high watermark survives a clean restart ({@code replication-offset-checkpoint}) on real
 * processes, in the two places where a restarted replica cannot learn it from anyone else.
 * Without the checkpoint both would see a high watermark of 0 (the log start).
 */
@Tag("slow")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class HighWatermarkCheckpointClusterTest {

    private static final String TOPIC = "restarted";
    private static final int RECORDS = 50;
    private static final Map<String, String> SETTINGS = Map.of(
            "min.insync.replicas", "2",
            // Longer than this test: the frozen leader is never fenced, so it stays the partition's leader.
            "broker.session.timeout.ms", "600000",
            "broker.heartbeat.interval.ms", "500",
            "auto.leader.rebalance.enable", "false");

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    /**
     * Isolated mode (the quorum outlives the brokers): every broker of an RF 3 topic with
     * min.insync.replicas=2 stops cleanly after acks=all writes, the leader last, and only the leader
     * starts again. KRaft keeps the last ISR member in the ISR, so it leads again at once, alone: its
     * followers are down and cannot have fetched, and an ISR of one below min.insync.replicas never
     * moves the high watermark. ListOffsets LATEST and a consumer still get every acknowledged record.
     */
    @Test
    void aRestartedLeaderExposesTheCommittedEndBeforeAnyFollowerIsBack() throws Exception {
        ClusterProcess cluster = fixture.startIsolated(1, 3, Map.of("min.insync.replicas", "2",
                "broker.heartbeat.interval.ms", "500", "auto.leader.rebalance.enable", "false"));
        Admin admin = fixture.admin();
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, TOPIC).isr().size() == 3);
        int leader = partition0(admin, TOPIC).leader().id();
        produceAcknowledged(cluster);
        admin.close(Duration.ofSeconds(5));

        for (BrokerProcess broker : cluster.nodes()) {
            if (broker.isBroker() && broker.nodeId() != leader) {
                assertThat(broker.stop()).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
            }
        }
        assertThat(cluster.node(leader).stop()).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
        assertThat(checkpointedHighWatermark(cluster.node(leader).dataDir())).isEqualTo(RECORDS + 1);

        cluster.node(leader).restart();
        Admin leaderAdmin = fixture.admin(cluster.node(leader).bootstrap());
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> partition0(leaderAdmin, TOPIC).leader().id() == leader);
        assertThat(partition0(leaderAdmin, TOPIC).isr()).as("alone: nobody else could have fetched").extracting(Node::id)
                .containsExactly(leader);
        long latest = leaderAdmin.listOffsets(Map.of(new TopicPartition(TOPIC, 0), OffsetSpec.latest())).all().get()
                .get(new TopicPartition(TOPIC, 0)).offset();
        assertThat(latest).as("ListOffsets LATEST: the committed end").isEqualTo(RECORDS + 1);
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(cluster.node(leader).bootstrap())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<String> values = new ArrayList<>();
            while (values.size() < RECORDS + 1) { // bounded by the test's timeout
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            assertThat(values).startsWith("value-0").endsWith("sentinel").hasSize(RECORDS + 1);
        }
    }

    /** RECORDS records and a sentinel, acks=all. */
    private static void produceAcknowledged(ClusterProcess cluster) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>(TOPIC, ("value-" + i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
            // Acknowledged once every ISR member fetched past it, i.e. after each had a fetch response
            // carrying a high watermark that covers all records above.
            p.send(new ProducerRecord<>(TOPIC, "sentinel".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Combined mode: a follower of an RF 3 partition is stopped cleanly after acks=all writes, the
     * leader is frozen (SIGSTOP), and the follower is started again. Its leader cannot answer its
     * fetches and no other broker leads the partition (a session timeout longer than the test keeps
     * the frozen leader unfenced, so the partition never fails over), so the only place it can learn
     * what is committed from is its own checkpoint. A consumer's KIP-392 fetch sent to that follower
     * gets the acknowledged records.
     */
    @Test
    void aRestartedFollowerServesTheCommittedRecordsFromItsCheckpointBeforeItsLeaderAnswers() throws Exception {
        ClusterProcess cluster = fixture.start(3, SETTINGS);
        Admin admin = fixture.admin();
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, TOPIC).isr().size() == 3);
        int leader = partition0(admin, TOPIC).leader().id();
        int follower = partition0(admin, TOPIC).replicas().stream().mapToInt(Node::id).filter(id -> id != leader).min().orElseThrow();

        produceAcknowledged(cluster);

        assertThat(cluster.node(follower).stop()).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
        assertThat(checkpointedHighWatermark(cluster.node(follower).dataDir()))
                .as("written at the clean shutdown").isGreaterThanOrEqualTo(RECORDS);

        cluster.node(leader).sigstop();
        try {
            cluster.node(follower).restart();
            FetchResponseData.PartitionData served = fetchFromFollower(cluster.node(follower));
            assertThat(served.highWatermark()).as("the checkpointed high watermark").isGreaterThanOrEqualTo(RECORDS);
            List<String> values = new ArrayList<>();
            for (Record r : ((MemoryRecords) served.records()).records()) {
                values.add(StandardCharsets.UTF_8.decode(r.value()).toString());
            }
            assertThat(values).as("committed records served before the leader could answer").startsWith("value-0");
        } finally {
            cluster.node(leader).sigcont();
        }
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> partition0(admin, TOPIC).leader() != null);
        assertThat(partition0(admin, TOPIC).leader().id()).as("no failover taught the follower its high watermark").isEqualTo(leader);
    }

    /** The follower's entry in its log dir's replication-offset-checkpoint (Kafka's text format). */
    private static long checkpointedHighWatermark(Path dataDir) throws IOException {
        Path file;
        try (Stream<Path> walk = Files.walk(dataDir)) {
            file = walk.filter(f -> f.getFileName().toString().equals("replication-offset-checkpoint"))
                    .findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).as("version").isEqualTo("0");
        assertThat(lines).hasSize(2 + Integer.parseInt(lines.get(1)));
        return lines.stream().skip(2).map(l -> l.split(" ")).filter(f -> f[0].equals(TOPIC) && f[1].equals("0"))
                .mapToLong(f -> Long.parseLong(f[2])).findFirst().orElseThrow();
    }

    /**
     * A consumer's Fetch (v12, with a rack: KIP-392 allows a follower to serve it) sent to the
     * follower itself, retried until the follower holds the partition again after its start.
     */
    private static FetchResponseData.PartitionData fetchFromFollower(BrokerProcess node) {
        FetchRequestData req = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                .setMaxBytes(1 << 20).setSessionId(0).setSessionEpoch(-1).setRackId("any-rack");
        req.topics().add(new FetchRequestData.FetchTopic().setTopic(TOPIC).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setCurrentLeaderEpoch(-1).setFetchOffset(0)
                        .setLogStartOffset(-1).setPartitionMaxBytes(1 << 20))));
        FetchResponseData.PartitionData[] served = new FetchResponseData.PartitionData[1];
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> {
            try (RawClient c = new RawClient(new InetSocketAddress("localhost", node.clientPort()))) {
                c.send(ApiVersionsTable.FETCH, (short) 12, 1, req);
                FetchResponseData resp = c.read(ApiVersionsTable.FETCH, (short) 12, FetchResponseData.class);
                served[0] = resp.responses().get(0).partitions().get(0);
                return served[0].errorCode() == Errors.NONE.code();
            }
        });
        return served[0];
    }
}
