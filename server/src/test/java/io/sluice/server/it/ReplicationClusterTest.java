package io.sluice.server.it;

import static io.sluice.server.it.Clients.partition0;
import static io.sluice.server.it.Clients.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replication on a real 3-process cluster (combined mode, 3 voters) with kafka-clients 4.4: acks=all
 * across a leader kill, ISR shrink and rejoin, controlled shutdown under load, a coordinator
 * failover, a follower's restart, and topic deletion on every replica.
 */
@Tag("slow")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class ReplicationClusterTest {

    /** Short enough that an ISR change happens within a test, long enough to ride out GC pauses. */
    private static final Map<String, String> SETTINGS = Map.of("log.segment.bytes", "16777216",
            "replica.lag.time.max.ms", "4000",
            "min.insync.replicas", "2", "broker.session.timeout.ms", "6000", "broker.heartbeat.interval.ms", "500");

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    private ClusterProcess cluster;
    private Admin admin;

    private void start() throws Exception {
        cluster = fixture.start(3, SETTINGS);
        admin = fixture.admin();
    }

    /**
     * Waits for a cluster condition. An admin call may land on a node that is paused or just killed
     * and time out; that is not the answer, so the condition is asked again.
     */
    private static ConditionFactory awaitCluster() {
        return await().ignoreExceptions();
    }

    private void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get();
        awaitCluster().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, topic).isr().size() == 3);
    }

    private static byte[] value(int i) {
        return ("value-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acksAllSurvivesKillingTheLeaderAndTheReplicasEndIdentical() throws Exception {
        start();
        createTopic("kill");
        int leader = partition0(admin, "kill").leader().id();
        List<Integer> acked = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 3000; i++) {
                if (i == 1500) {
                    cluster.node(leader).kill9();
                }
                RecordMetadata m = p.send(new ProducerRecord<>("kill", value(i))).get(60, TimeUnit.SECONDS);
                acked.add(i);
                assertThat(m.offset()).isGreaterThanOrEqualTo(0);
            }
        }
        int newLeader = partition0(admin, "kill").leader().id();
        assertThat(newLeader).isNotEqualTo(leader);

        List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(cluster.bootstrap(),
                List.of(new TopicPartition("kill", 0)), acked.size(), Duration.ofSeconds(60));
        List<String> values = read.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertThat(values).as("every acknowledged record, once, in order")
                .containsExactlyElementsOf(acked.stream().map(i -> "value-" + i).toList());

        cluster.node(leader).restart();
        awaitCluster().atMost(Duration.ofSeconds(60)).until(() -> partition0(admin, "kill").isr().size() == 3);
        long hw = admin.listOffsets(Map.of(new TopicPartition("kill", 0), OffsetSpec.latest()))
                .all().get().get(new TopicPartition("kill", 0)).offset();
        byte[] reference = SegmentBytes.committedPrefix(cluster.node(newLeader), "kill-0", hw);
        for (BrokerProcess n : cluster.nodes()) {
            assertThat(SegmentBytes.committedPrefix(n, "kill-0", hw)).as("node %d's committed bytes", n.nodeId()).isEqualTo(reference);
        }
    }

    @Test
    void aPausedFollowerLeavesTheIsrAndRejoinsWhenItCatchesUp() throws Exception {
        start();
        createTopic("pause");
        TopicPartitionInfo before = partition0(admin, "pause");
        int follower = before.replicas().stream().map(Node::id).filter(id -> id != before.leader().id()).findFirst()
                .orElseThrow();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            // A running producer: its producer id and metadata come before the pause. Otherwise its
            // first request may go to the paused node, which accepts the connection but never answers,
            // and the client waits out request.timeout.ms (30 s) as it would with Kafka.
            p.send(new ProducerRecord<>("pause", value(0))).get(30, TimeUnit.SECONDS);
            cluster.node(follower).sigstop();
            try {
                awaitCluster().atMost(Duration.ofSeconds(60)).until(() -> !ids(partition0(admin, "pause").isr()).contains(follower));
                for (int i = 1; i <= 100; i++) {
                    p.send(new ProducerRecord<>("pause", value(i))).get(30, TimeUnit.SECONDS);
                }
            } finally {
                cluster.node(follower).sigcont();
            }
            awaitCluster().atMost(Duration.ofSeconds(60)).until(() -> ids(partition0(admin, "pause").isr()).contains(follower));
            p.send(new ProducerRecord<>("pause", value(101))).get(30, TimeUnit.SECONDS);
        }
        assertThat(Clients.readAll(cluster.bootstrap(), List.of(new TopicPartition("pause", 0)), 102,
                Duration.ofSeconds(30))).hasSize(102);
    }

    @Test
    void acksAllIsRefusedWhileTheIsrIsBelowMinInsyncReplicasAndAcks1Goes() throws Exception {
        start();
        admin.createTopics(List.of(new NewTopic("strict", 1, (short) 3).configs(Map.of("min.insync.replicas", "3"))))
                .all().get();
        awaitCluster().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, "strict").isr().size() == 3);
        TopicPartitionInfo info = partition0(admin, "strict");
        int follower = info.replicas().stream().map(Node::id).filter(id -> id != info.leader().id()).findFirst()
                .orElseThrow();
        cluster.node(follower).kill9();
        awaitCluster().atMost(Duration.ofSeconds(60)).until(() -> partition0(admin, "strict").isr().size() == 2);
        try (KafkaProducer<byte[], byte[]> all = noRetries("all");
             KafkaProducer<byte[], byte[]> one = noRetries("1")) {
            Future<RecordMetadata> refused = all.send(new ProducerRecord<>("strict", value(0)));
            assertThat(one.send(new ProducerRecord<>("strict", value(1))).get(30, TimeUnit.SECONDS).offset()).isZero();
            try {
                refused.get(60, TimeUnit.SECONDS);
                throw new AssertionError("acks=all was acknowledged with an ISR of 2 and min.insync.replicas=3");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NotEnoughReplicasException.class);
            }
        }
    }

    /** NOT_ENOUGH_REPLICAS is retriable: a producer that retries would only ever report a timeout. */
    private KafkaProducer<byte[], byte[]> noRetries(String acks) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.RETRIES_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    @Test
    void sigtermOfALeaderUnderLoadGivesOnlyRetriableErrorsAndLosesNothing() throws Exception {
        start();
        createTopic("term");
        int leader = partition0(admin, "term").leader().id();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Integer> acked = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 2000; i++) {
                if (i == 1000) {
                    assertThat(cluster.node(leader).stop()).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
                }
                try {
                    p.send(new ProducerRecord<>("term", value(i))).get(60, TimeUnit.SECONDS);
                    acked.add(i);
                } catch (ExecutionException e) {
                    errors.add(e.getCause());
                }
            }
        }
        // The producer retries retriable errors itself: any error that reaches the application is a failure.
        assertThat(errors).as("errors the producer gave up on").isEmpty();
        assertThat(cluster.node(leader).log()).contains("Controlled shutdown of broker " + leader
                + ": leadership moved to the other in-sync replicas");
        assertThat(Clients.readAll(cluster.bootstrap(), List.of(new TopicPartition("term", 0)), acked.size(),
                Duration.ofSeconds(60))).hasSize(acked.size());
    }

    @Test
    void aGroupGoesOnFromItsCommittedOffsetsAfterItsCoordinatorIsKilled() throws Exception {
        start();
        createTopic("grp");
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("grp", value(i))).get(30, TimeUnit.SECONDS);
            }
        }
        AtomicReference<Integer> coordinator = new AtomicReference<>();
        try (KafkaConsumer<byte[], byte[]> c = groupConsumer()) {
            c.subscribe(List.of("grp"));
            int seen = 0;
            long deadline = System.currentTimeMillis() + 60_000;
            while (seen < 10 && System.currentTimeMillis() < deadline) {
                seen += c.poll(Duration.ofMillis(500)).count();
            }
            c.commitSync(Map.of(new TopicPartition("grp", 0), new OffsetAndMetadata(10)));
            coordinator.set(admin.describeConsumerGroups(List.of("g")).all().get().get("g").coordinator().id());
        }
        cluster.node(coordinator.get()).kill9();
        try (KafkaConsumer<byte[], byte[]> c = groupConsumer()) {
            c.subscribe(List.of("grp"));
            ConsumerRecord<byte[], byte[]> first = null;
            long deadline = System.currentTimeMillis() + 90_000;
            while (first == null && System.currentTimeMillis() < deadline) {
                var records = c.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    first = records.iterator().next();
                }
            }
            assertThat(first).as("a record after the coordinator failover").isNotNull();
            assertThat(first.offset()).as("resumed from the committed offset").isEqualTo(10);
        }
    }

    private KafkaConsumer<byte[], byte[]> groupConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "g");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    @Test
    void aRestartedFollowerCatchesUpFromItsOwnLogEndAndDeletionReachesEveryReplica() throws Exception {
        start();
        createTopic("restart");
        TopicPartitionInfo info = partition0(admin, "restart");
        int follower = info.replicas().stream().map(Node::id).filter(id -> id != info.leader().id()).findFirst()
                .orElseThrow();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 200; i++) {
                p.send(new ProducerRecord<>("restart", value(i))).get(30, TimeUnit.SECONDS);
            }
            cluster.node(follower).stop();
            for (int i = 200; i < 400; i++) {
                p.send(new ProducerRecord<>("restart", value(i))).get(30, TimeUnit.SECONDS);
            }
        }
        cluster.node(follower).restart();
        awaitCluster().atMost(Duration.ofSeconds(60)).until(() -> ids(partition0(admin, "restart").isr()).contains(follower));
        assertThat(cluster.node(follower).log()).as("the follower kept its log")
                .doesNotContain("restart-0: emptied").doesNotContain("restart-0: truncated to 0");

        admin.deleteTopics(List.of("restart")).all().get();
        for (BrokerProcess n : cluster.nodes()) {
            Path dir = n.dataDir().resolve("logs").resolve("restart-0");
            awaitCluster().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(dir));
        }
    }
}
