package io.sluice.server.it;

import static io.sluice.server.it.Clients.partition0;
import static io.sluice.server.it.Clients.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's isolated mode on real processes: a controller-only voter (node 1) and three broker-only
 * nodes that follow the quorum without a vote. The brokers replicate, fail over and rejoin exactly
 * as combined nodes do, and the controller serves no client.
 */
@Tag("slow")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class IsolatedModeClusterTest {

    private static final Map<String, String> SETTINGS = Map.of("replica.lag.time.max.ms", "4000",
            "min.insync.replicas", "2", "broker.session.timeout.ms", "6000", "broker.heartbeat.interval.ms", "500");
    private static final int CONTROLLER = 1;

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    @Test
    void brokerOnlyNodesReplicateFailOverAndRejoinBesideAControllerOnlyVoter() throws Exception {
        ClusterProcess cluster = fixture.startIsolated(1, 3, SETTINGS);
        Admin admin = fixture.admin();

        Set<Integer> brokers = new TreeSet<>();
        admin.describeCluster().nodes().get().forEach(n -> brokers.add(n.id()));
        assertThat(brokers).as("the registered brokers: the controller-only node is none of them").containsExactly(2, 3, 4);
        assertThat(cluster.node(CONTROLLER).log()).contains("no client listener (process.roles=controller)");
        assertThat(acceptsConnections(cluster.node(CONTROLLER).clientPort()))
                .as("a controller-only node opens no client listener").isFalse();

        admin.createTopics(List.of(new NewTopic("iso", 1, (short) 3))).all().get();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, "iso").isr().size() == 3);
        int leader = partition0(admin, "iso").leader().id();

        List<String> acked = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 2000; i++) {
                if (i == 1000) {
                    cluster.node(leader).kill9();
                }
                String v = "value-" + i;
                p.send(new ProducerRecord<>("iso", v.getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS);
                acked.add(v);
            }
        }
        assertThat(partition0(admin, "iso").leader().id()).as("a broker-only follower took over").isNotEqualTo(leader);
        List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(cluster.bootstrap(),
                List.of(new TopicPartition("iso", 0)), acked.size(), Duration.ofSeconds(60));
        assertThat(read.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList())
                .as("every acknowledged record, once, in order").containsExactlyElementsOf(acked);

        cluster.node(leader).restart();
        await().ignoreExceptions().atMost(Duration.ofSeconds(60))
                .until(() -> ids(partition0(admin, "iso").isr()).equals(Set.of(2, 3, 4)));
    }

    private static boolean acceptsConnections(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
