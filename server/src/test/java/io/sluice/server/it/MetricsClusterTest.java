package io.sluice.server.it;

import static io.sluice.server.it.Clients.partition0;
import static io.sluice.server.it.MetricsScrape.sum;
import static io.sluice.server.it.MetricsScrape.text;
import static io.sluice.server.it.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replication health in the metrics of a real 3-process cluster: a frozen follower falls out of the
 * ISR, which its leader's endpoint shows (an ISR shrink, an under-replicated partition, the
 * follower's lag in records and time), and shows healed once it thaws and catches up.
 */
@Tag("slow")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class MetricsClusterTest {

    private static final String TOPIC = "watched";
    private static final Map<String, String> SETTINGS = Map.of(
            "min.insync.replicas", "2",
            "replica.lag.time.max.ms", "2000",
            // Longer than this test: the frozen follower leaves the ISR by lag, never by fencing.
            "broker.session.timeout.ms", "600000",
            "broker.heartbeat.interval.ms", "500");

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    @Test
    void aFrozenFollowerShowsAsAnIsrShrinkAndLagOnItsLeaderAndHealsWhenItCatchesUp() throws Exception {
        ClusterProcess cluster = fixture.start(3, SETTINGS);
        Admin admin = fixture.admin();
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();
        await().atMost(Duration.ofSeconds(60)).until(() -> partition0(admin, TOPIC).isr().size() == 3);
        TopicPartitionInfo p = partition0(admin, TOPIC);
        BrokerProcess leader = cluster.node(p.leader().id());
        BrokerProcess follower = cluster.node(p.replicas().stream().map(Node::id).filter(id -> id != p.leader().id())
                .findFirst().orElseThrow());
        String replica = "replica=\"" + follower.nodeId() + "\"";

        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            send(producer, 5);
            follower.sigstop();
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    String t = text(leader);
                    return value(t, "sluice_isr_shrinks_total") >= 1 && value(t, "sluice_under_replicated_partitions") == 1;
                });
                send(producer, 5); // acks=all still served: the ISR of two meets min.insync.replicas
                String t = text(leader);
                assertThat(sum(t, "sluice_follower_lag_records", replica)).as(t).isGreaterThanOrEqualTo(5);
                assertThat(sum(t, "sluice_follower_lag_seconds", replica)).isGreaterThanOrEqualTo(2);
                // The 5 batches it missed (one record each, acks=all), each at least a 61-byte batch header.
                assertThat(sum(t, "sluice_follower_lag_bytes", replica)).isGreaterThanOrEqualTo(5 * 61)
                        .isLessThanOrEqualTo(sum(t, "sluice_partition_size_bytes", "topic=\"" + TOPIC + "\"") / 2 + 1);
                assertThat(value(t, "sluice_under_min_isr_partitions")).isZero();
                assertThat(sum(t, "sluice_partition_high_watermark", "topic=\"" + TOPIC + "\"")).isEqualTo(10);
                // The frozen node answers nothing: the view names it as unread and shows the rest.
                assertThat(StatusCommandTest.status(cluster.bootstrap(), 10_000))
                        .contains("under-replicated: " + TOPIC + "-0")
                        .containsPattern("NOT READ\\n(.*\\n)*  (config|metrics) of broker " + follower.nodeId() + " ");
            } finally {
                follower.sigcont();
            }
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            String t = text(leader);
            return value(t, "sluice_isr_expands_total") >= 1 && value(t, "sluice_under_replicated_partitions") == 0;
        });
        assertThat(sum(text(leader), "sluice_follower_lag_records", replica)).isZero();
        assertThat(sum(text(leader), "sluice_follower_lag_bytes", replica)).isZero();
        String followerText = text(follower);
        assertThat(value(followerText, "sluice_replica_fetch_requests_total")).isPositive();
        assertThat(value(followerText, "sluice_replica_fetch_bytes_total")).as("the 10 records it fetched").isPositive();
        assertThat(value(followerText, "sluice_replica_fetchers")).isGreaterThanOrEqualTo(1);
        double leaders = 0;
        for (BrokerProcess node : cluster.nodes()) {
            leaders += value(text(node), "sluice_quorum_is_leader");
        }
        assertThat(leaders).as("nodes that say they lead the quorum").isEqualTo(1);

        // num.replica.fetchers is dynamic: more fetchers per leader, without a restart. Two, not three: a
        // leader of 3 leads every third partition, and a partition's fetcher is its hash modulo the count
        // (as in Kafka), so with three fetchers all of one leader's partitions could share one.
        admin.createTopics(List.of(new NewTopic("spread", 12, (short) 3))).all().get();
        await().atMost(Duration.ofSeconds(90)).until(() -> admin.describeTopics(List.of("spread")).allTopicNames().get()
                .get("spread").partitions().stream().allMatch(q -> q.isr().size() == 3));
        double before = fetchers(cluster);
        BrokerProcess restarted = cluster.nodes().get(0);
        double ownBefore = value(text(restarted), "sluice_replica_fetchers");
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(
                new AlterConfigOp(new ConfigEntry("num.replica.fetchers", "2"), AlterConfigOp.OpType.SET)))).all().get();
        await().atMost(Duration.ofSeconds(90)).until(() -> fetchers(cluster) > before
                && value(text(restarted), "sluice_replica_fetchers") > ownBefore);

        // A restarted node starts with the stored value, not server.properties' (as Kafka applies dynamic configs).
        double own = value(text(restarted), "sluice_replica_fetchers");
        restarted.restart();
        await().atMost(Duration.ofSeconds(90)).until(() -> value(text(restarted), "sluice_replica_fetchers") == own);
    }

    /** Replica fetcher threads running on every node. */
    private static double fetchers(ClusterProcess cluster) throws Exception {
        double sum = 0;
        for (BrokerProcess node : cluster.nodes()) {
            sum += value(text(node), "sluice_replica_fetchers");
        }
        return sum;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            // Bounded: a send that cannot complete fails here, not at the test's timeout.
            producer.send(new ProducerRecord<>(TOPIC, ("v" + i).getBytes())).get(30, TimeUnit.SECONDS);
        }
    }
}
