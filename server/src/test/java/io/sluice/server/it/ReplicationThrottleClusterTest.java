package io.sluice.server.it;

import static io.sluice.server.it.Clients.ids;
import static io.sluice.server.it.Clients.partition0;
import static io.sluice.server.it.MetricsScrape.sum;
import static io.sluice.server.it.MetricsScrape.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's leader replication throttle on a real 3-process cluster: a follower that was down comes
 * back to a leader whose {@code leader.replication.throttled.rate} is low and whose topic has
 * {@code leader.replication.throttled.replicas=*}; it catches up no faster than the quota lets it,
 * and once the rate is removed, without a restart, it catches up and rejoins the ISR.
 *
 * <p>The bound, not a speed: Kafka's quota (a SimpleRate) divides the bytes of its samples by the
 * time since its oldest sample began, and an idle sensor's oldest sample may have begun up to
 * {@code replication.quota.window.num} × {@code replication.quota.window.size.seconds} ago. So the
 * bytes sent in a measured window are at most rate × (window + samples × sample span) plus one
 * fetch's {@code replica.fetch.max.bytes}. Two samples of a second keep that allowance small here.
 */
@Tag("slow")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class ReplicationThrottleClusterTest {

    private static final String TOPIC = "throttled";
    private static final int FETCH_BYTES_MAX = 64 * 1024;
    private static final long RATE_BYTES_PER_SECOND = 200 * 1024;
    private static final int RECORD_BYTES = 1024;
    private static final int RECORDS = 4096; // 4 MiB: about 20 s at the throttled rate
    private static final long WINDOW_MS = 6_000;
    private static final int QUOTA_SAMPLES = 2;
    private static final Map<String, String> SETTINGS = Map.of(
            "replica.fetch.max.bytes", Integer.toString(FETCH_BYTES_MAX),
            "replica.lag.time.max.ms", "3000",
            "replication.quota.window.num", Integer.toString(QUOTA_SAMPLES));

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    @Test
    void aRestartedFollowerCatchesUpAtTheLeadersThrottledRateAndRejoinsTheIsrOnceItIsRemoved() throws Exception {
        long seed = System.nanoTime();
        System.out.println("ReplicationThrottleClusterTest seed " + seed);
        ClusterProcess cluster = fixture.start(3, SETTINGS);
        Admin admin = fixture.admin();
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();
        await().atMost(Duration.ofSeconds(60)).until(() -> partition0(admin, TOPIC).isr().size() == 3);
        TopicPartitionInfo p = partition0(admin, TOPIC);
        int leaderId = p.leader().id();
        BrokerProcess leader = cluster.node(leaderId);
        List<Integer> followers = p.replicas().stream().map(Node::id).filter(id -> id != leaderId).toList();
        BrokerProcess follower = cluster.node(followers.get(0));
        String inSyncFollower = "replica=\"" + followers.get(1) + "\"";

        follower.kill9();
        await().atMost(Duration.ofSeconds(60)).until(() -> !ids(partition0(admin, TOPIC).isr()).contains(follower.nodeId()));
        Random random = new Random(seed);
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(cluster.bootstrap(), "1", false, "none")) {
            for (int i = 0; i < RECORDS; i++) {
                byte[] value = new byte[RECORD_BYTES];
                random.nextBytes(value);
                producer.send(new ProducerRecord<>(TOPIC, value));
            }
            producer.flush();
        }
        // The in-sync follower has everything first: its fetches would count against the quota too (as in Kafka).
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                sum(text(leader), "sluice_follower_lag_records", inSyncFollower) == 0);

        // Bad input is refused with Kafka's error and nothing is stored.
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                new ConfigEntry("leader.replication.throttled.replicas", "0-1"), AlterConfigOp.OpType.SET)))).all().get())
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("must be the literal '*' or a list of replicas");
        String broker = Integer.toString(leaderId);
        assertThat(KafkaCli.configs(cluster.bootstrap(), "--alter", "--entity-type", "brokers", "--entity-name", broker,
                "--add-config", "leader.replication.throttled.rate=" + RATE_BYTES_PER_SECOND).exitCode()).isZero();
        assertThat(KafkaCli.configs(cluster.bootstrap(), "--alter", "--entity-type", "topics", "--entity-name", TOPIC,
                "--add-config", "leader.replication.throttled.replicas=*").exitCode()).isZero();
        assertThat(KafkaCli.configs(cluster.bootstrap(), "--describe", "--entity-type", "brokers", "--entity-name", broker)
                .output()).contains("leader.replication.throttled.rate=" + RATE_BYTES_PER_SECOND);

        // The leader counts what it sends of throttled partitions; polled while the follower restarts.
        double before = sentThrottled(leader);
        CompletableFuture<Void> restarted = CompletableFuture.runAsync(() -> {
            try {
                follower.restart();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long startMs = System.currentTimeMillis();
        long lastNothingMs = startMs;
        double sent = 0;
        long firstSentMs = -1;
        while (firstSentMs < 0 || System.currentTimeMillis() - firstSentMs < WINDOW_MS) {
            // The leader read its counter between askedMs and answeredMs (a scrape can be slow here).
            long askedMs = System.currentTimeMillis();
            sent = sentThrottled(leader) - before;
            long answeredMs = System.currentTimeMillis();
            if (sent == 0) {
                lastNothingMs = askedMs;
                assertThat(answeredMs - startMs).as("time until the restarted follower fetched").isLessThan(90_000);
            } else {
                firstSentMs = firstSentMs < 0 ? answeredMs : firstSentMs;
                // Everything sent was recorded after lastNothingMs: the quota's bound over that window.
                double windowSeconds = (answeredMs - lastNothingMs) / 1000.0;
                assertThat(sent).as("bytes sent within %.1f s of the first throttled fetch", windowSeconds)
                        .isLessThanOrEqualTo(RATE_BYTES_PER_SECOND * (windowSeconds + QUOTA_SAMPLES) + FETCH_BYTES_MAX);
            }
            Thread.sleep(100);
        }
        restarted.get(90, TimeUnit.SECONDS);
        System.out.printf("ReplicationThrottleClusterTest: %.0f bytes sent to the restarted follower in %d ms at %d bytes/s%n",
                sent, System.currentTimeMillis() - lastNothingMs, RATE_BYTES_PER_SECOND);
        assertThat(sent).as("the follower is still behind: throttled").isLessThan((double) RECORDS * RECORD_BYTES);
        assertThat(ids(partition0(admin, TOPIC).isr())).doesNotContain(follower.nodeId());
        String t = text(leader);
        assertThat(sum(t, "sluice_replication_throttled_partitions_total", "side=\"leader\"")).as(t).isPositive();
        assertThat(sum(t, "sluice_replication_throttle_limit_bytes_per_second", "side=\"leader\""))
                .isEqualTo(RATE_BYTES_PER_SECOND);

        // Removed without a restart: the follower catches up and is back in the ISR.
        assertThat(KafkaCli.configs(cluster.bootstrap(), "--alter", "--entity-type", "brokers", "--entity-name", broker,
                "--delete-config", "leader.replication.throttled.rate").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, TOPIC).isr().size() == 3);
        assertThat(text(leader)).contains("sluice_replication_throttle_limit_bytes_per_second{side=\"leader\"} +Inf");
    }

    private static double sentThrottled(BrokerProcess leader) throws Exception {
        return sum(text(leader), "sluice_replication_throttled_bytes_total", "side=\"leader\"");
    }
}
