package io.sluice.server.it;

import static io.sluice.server.it.Clients.partition0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KIP-392 on a real 3-process cluster with kafka-clients 4.4: brokers in racks r1/r2/r3 with Kafka's
 * RackAwareReplicaSelector, and a consumer whose {@code client.rack} is a follower's rack. The proof
 * that the follower serves it: once the consumer has its first records, the leader is frozen
 * (SIGSTOP) and the rest still arrive. A session timeout longer than the test keeps the frozen
 * broker the leader, so no failover can be what serves them; the leader is checked unchanged after.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class FollowerFetchClusterTest {

    private static final String TOPIC = "near";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 200;
    private static final Map<String, String> SETTINGS = Map.of(
            "replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector",
            "min.insync.replicas", "2",
            // Longer than this test: a frozen leader is never fenced, so its partition never fails over.
            "broker.session.timeout.ms", "600000",
            "broker.heartbeat.interval.ms", "500");

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    private static String value(int i) {
        return "value-" + i;
    }

    /** Reads one record at a time (one batch per fetch), so the read is still early when the leader freezes. */
    private static KafkaConsumer<byte[], byte[]> consumerInRack(String bootstrap, String rack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_RACK_CONFIG, rack);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "1");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private static void pollInto(KafkaConsumer<byte[], byte[]> c, List<String> values) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aConsumerInAFollowersRackReadsFromThatFollowerWhileTheLeaderIsFrozen() throws Exception {
        ClusterProcess cluster = fixture.start(3, SETTINGS, id -> Map.of("broker.rack", "r" + id));
        Admin admin = fixture.admin();
        assertThat(admin.describeCluster().nodes().get()).as("DescribeCluster shows broker.rack")
                .extracting(Node::id, Node::rack).containsExactlyInAnyOrder(tuple(1, "r1"), tuple(2, "r2"), tuple(3, "r3"));
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, TOPIC).isr().size() == 3);
        TopicPartitionInfo before = partition0(admin, TOPIC);
        int leader = before.leader().id();
        assertThat(before.leader().rack()).as("Metadata shows broker.rack").isEqualTo("r" + leader);
        int follower = before.replicas().stream().mapToInt(Node::id).filter(id -> id != leader).min().orElseThrow();

        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>(TOPIC, value(i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
            // Acknowledged only once every ISR member fetched past it, i.e. after each had a fetch
            // response carrying a high watermark that covers all records above: the follower's own
            // high watermark covers them before the leader freezes.
            p.send(new ProducerRecord<>(TOPIC, "sentinel".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }

        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumerInRack(cluster.bootstrap(), "r" + follower)) {
            c.assign(List.of(TP));
            c.seekToBeginning(List.of(TP));
            while (values.isEmpty()) {
                pollInto(c, values);
            }
            int readBeforeFreeze = values.size();
            assertThat(readBeforeFreeze).as("most records are still to read after the freeze").isLessThan(RECORDS / 2);
            cluster.node(leader).sigstop();
            try {
                while (values.size() < RECORDS) {
                    pollInto(c, values); // bounded by the test's timeout: a consumer stuck on the leader fails here
                }
            } finally {
                cluster.node(leader).sigcont();
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            expected.add(value(i));
        }
        assertThat(values.subList(0, RECORDS)).containsExactlyElementsOf(expected);
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> partition0(admin, TOPIC).leader() != null);
        assertThat(partition0(admin, TOPIC).leader().id()).as("no failover served the consumer").isEqualTo(leader);
    }
}
