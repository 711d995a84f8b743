package io.sluice.server.it;

import static io.sluice.server.it.Clients.partition0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Listeners as in Kafka on a 3-process cluster: each node serves a CLIENT and an INTERNAL listener,
 * followers replicate over {@code inter.broker.listener.name=INTERNAL}, and a client is given the
 * brokers' endpoints on the listener it connected to.
 */
@Tag("slow")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class ListenersClusterTest {

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    private final Map<Integer, Integer> internalPorts = new HashMap<>();

    @Test
    void followersReplicateOverTheInterBrokerListenerAndClientsSeeTheirOwnListener() throws Exception {
        for (int id = 1; id <= 3; id++) {
            internalPorts.put(id, ClusterProcess.listenablePort());
        }
        ClusterProcess cluster = fixture.start(3, Map.of("min.insync.replicas", "2",
                "listener.security.protocol.map", "CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name", "internal"), id -> Map.of("listeners",
                "CLIENT://localhost:{clientPort},INTERNAL://localhost:" + internalPorts.get(id)
                        + ",CONTROLLER://localhost:{quorumPort}"));
        Admin admin = fixture.admin();

        Map<Integer, Integer> clientPorts = new TreeMap<>();
        cluster.nodes().forEach(n -> clientPorts.put(n.nodeId(), n.clientPort()));
        assertThat(ports(admin)).as("on CLIENT, brokers are their CLIENT endpoints").isEqualTo(clientPorts);
        try (Admin internal = Clients.admin("localhost:" + internalPorts.get(2))) {
            assertThat(ports(internal)).as("on INTERNAL, their INTERNAL endpoints").isEqualTo(new TreeMap<>(internalPorts));
        }

        admin.createTopics(List.of(new NewTopic("two-listeners", 1, (short) 3))).all().get();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, "two-listeners").isr().size() == 3);
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>("two-listeners", ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        int leader = partition0(admin, "two-listeners").leader().id();
        assertThat(establishedTo(internalPorts.get(leader))).as("the followers' fetchers, on the leader's INTERNAL port")
                .isGreaterThanOrEqualTo(2);
        assertThat(Clients.readAll(cluster.bootstrap(), List.of(new TopicPartition("two-listeners", 0)), 20,
                Duration.ofSeconds(30))).hasSize(20);
    }

    private static Map<Integer, Integer> ports(Admin admin) throws Exception {
        Map<Integer, Integer> out = new TreeMap<>();
        for (Node n : admin.describeCluster().nodes().get()) {
            out.put(n.id(), n.port());
        }
        return out;
    }

    /** Established TCP connections whose local end is {@code port}: the connections a listener accepted. */
    private static int establishedTo(int port) throws Exception {
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        int n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p); // read once: the table changes between reads
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[1].split(":")[1].equals(hexPort) && f[3].equals("01")) {
                    n++;
                }
            }
        }
        return n;
    }
}
