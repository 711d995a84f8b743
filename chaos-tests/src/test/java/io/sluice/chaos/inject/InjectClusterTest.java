package io.sluice.chaos.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.chaos.fuzz.ApiVersionsProbe;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/sluice chaos inject} against a real 3-node cluster started by {@code bin/sluice cluster
 * start} (in a scratch home, on the example ports), run as a user runs it, in its own process, while
 * this JVM plays the user's application: a producer with acks=all and Admin clients outside the
 * nodes' cgroups. The cluster is started once for the class (a start is ~30 s here); after each test
 * every node runs again and no rule is left; after the class the cluster is stopped and its home removed.
 */
@Tag("slow")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class InjectClusterTest {
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * A cut follower leaves the ISR when it is fenced (broker.session.timeout.ms) or when its leader
     * finds it lagging (replica.lag.time.max.ms, 30 s, checked every 15 s), then through the quorum.
     */
    private static final Duration ISR_CHANGE_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern MOVED = Pattern.compile("leadership of (\\S+) moved to node (\\d+)");
    private static final Pattern KILLED = Pattern.compile("killed node (\\d+) \\(pid \\d+\\), leader of");

    private static ScratchClusterHome scratch;

    @BeforeAll
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    static void startCluster() throws Exception {
        Path repo = Path.of(System.getProperty("chaos.repoRoot", "..")).toAbsolutePath().normalize();
        scratch = new ScratchClusterHome(repo);
        scratch.sluiceCluster("start");
    }

    @AfterAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void stopCluster() throws Exception {
        if (scratch != null) {
            scratch.close();
            assertFalse(InjectChain.exists("filter") || InjectChain.exists("nat"), "an inject chain was left");
            NodeCgroups.find().ifPresent(cg -> assertFalse(Files.exists(cg.mount().resolve(NodeCgroups.PARENT)),
                    "bin/sluice cluster stop left the cgroup " + cg.mount().resolve(NodeCgroups.PARENT)));
        }
    }

    /** Every node runs and serves again, and nothing of an inject is left, whatever the test did. */
    @AfterEach
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void everyNodeRunsAgain() throws Exception {
        for (String table : new String[] {"filter", "nat"}) {
            if (InjectChain.exists(table)) {
                fail("inject left its chain in the " + table + " table");
            }
        }
        scratch.cluster().startMissingNodes();
    }

    private static void fail(String why) {
        throw new AssertionError(why);
    }

    /** The network faults need root, iptables and the nodes in their cgroups; elsewhere they are refused (tested apart). */
    private static void assumeNetworkFaults() {
        assumeTrue(InjectChain.whyUnavailable().isEmpty(), () -> "skipped: " + InjectChain.whyUnavailable().get());
        assumeTrue(NodeCgroups.find().isPresent(), "skipped: no cgroup v2 hierarchy mounted");
        NodeCgroups.find().flatMap(cg -> cg.whyNodesNotInCgroups(cluster()))
                .ifPresent(why -> assumeTrue(false, "skipped: " + why));
    }

    private static LocalCluster cluster() {
        return scratch.cluster();
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster().bootstrap()))) {
            // A node an earlier test cut off or restarted may still be fenced (its broker session ran
            // out): RF 3 needs all three unfenced, which describeCluster lists.
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size() < 3) {
                assertTrue(System.nanoTime() < deadline, "all three nodes unfenced within " + STEP_TIMEOUT);
                Thread.sleep(200);
            }
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
        }
        // Asked of every node itself: inject asks whichever node its client picks, and one whose
        // metadata has not reached the topic yet answers that it does not host it.
        for (LocalCluster.Node node : cluster().nodes()) {
            assertTrue(awaitIsr(node.ports().get(0), new TopicPartition(topic, 0),
                    isr -> isr.containsAll(List.of(1, 2, 3)), STEP_TIMEOUT),
                    "node " + node.id() + " names all three nodes in the ISR of the new RF-3 topic " + topic);
        }
    }

    private static KafkaProducer<String, String> acksAllProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster().bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "40000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static void sendAcked(KafkaProducer<String, String> producer, String topic, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, 0, null, value)).get(60, TimeUnit.SECONDS);
    }

    @Test
    void killLeaderPrintsWhenLeadershipMovedWhileAnAcksAllProducerContinues() throws Exception {
        String topic = "inject-kill";
        createTopic(topic);
        try (KafkaProducer<String, String> producer = acksAllProducer();
             InjectProcess inject = new InjectProcess(scratch.repo(), scratch.home(), "--kill-leader", topic + "-0",
                     "--for", "10s")) {
            sendAcked(producer, topic, "before");
            Matcher killed = KILLED.matcher(inject.awaitLine("killed node", STEP_TIMEOUT));
            assertTrue(killed.find());
            int oldLeader = Integer.parseInt(killed.group(1));
            assertTrue(cluster().process(oldLeader).isEmpty(), "node " + oldLeader + " is dead");
            Matcher moved = MOVED.matcher(inject.awaitLine("moved to node", STEP_TIMEOUT));
            assertTrue(moved.find());
            assertEquals(topic + "-0", moved.group(1));
            int newLeader = Integer.parseInt(moved.group(2));
            assertNotEquals(oldLeader, newLeader);
            try (LeaderWatch watch = new LeaderWatch(cluster().bootstrap())) {
                assertEquals(newLeader, watch.leader(new TopicPartition(topic, 0)).orElseThrow());
            }
            // Two of three replicas are min.insync.replicas=2: acks=all goes on while the node is down.
            sendAcked(producer, topic, "during");
            assertTrue(cluster().process(oldLeader).isEmpty(), "the write was acknowledged while node " + oldLeader
                    + " was still down");
            inject.awaitLine("back in the ISR of " + topic + "-0", Duration.ofSeconds(120));
            assertEquals(0, inject.awaitExit(STEP_TIMEOUT), inject.output());
            assertTrue(cluster().process(oldLeader).isPresent(), "node " + oldLeader + " runs again");
            sendAcked(producer, topic, "after");
        }
    }

    /** Polls the broker at {@code port} until its ISR of {@code tp} satisfies {@code wanted}; false on timeout. */
    private static boolean awaitIsr(int port, TopicPartition tp, Predicate<List<Integer>> wanted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (wanted.test(IsrProbe.isr(port, tp.topic(), tp.partition(), 3000))) {
                    return true;
                }
            } catch (IOException e) {
                // not answered this time: ask again
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** The last lines of each node's broker.log in the scratch home, for a failure message. */
    private static String nodeLogTails(int lines) {
        StringBuilder out = new StringBuilder();
        for (LocalCluster.Node node : cluster().nodes()) {
            Path log = scratch.home().resolve("data").resolve("node-" + node.id()).resolve("broker.log");
            try {
                List<String> all = Files.readAllLines(log);
                out.append("\n--- ").append(log).append(" (last ").append(lines).append(" lines)\n");
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.append(l).append('\n'));
            } catch (IOException e) {
                out.append("\n--- ").append(log).append(": ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void partitionCutsANodeOutOfTheIsrWhileClientsStillReachItAndCtrlCHeals() throws Exception {
        assumeNetworkFaults();
        String topic = "inject-cut";
        createTopic(topic);
        TopicPartition tp = new TopicPartition(topic, 0);
        int victim;
        int leaderPort;
        String majorityBootstrap;
        try (LeaderWatch watch = new LeaderWatch(cluster().bootstrap())) {
            int leader = watch.leader(tp).orElseThrow();
            leaderPort = cluster().node(leader).ports().get(0);
            victim = cluster().nodes().stream().mapToInt(LocalCluster.Node::id).filter(id -> id != leader).max()
                    .orElseThrow();
            majorityBootstrap = String.join(",", cluster().nodes().stream().filter(n -> n.id() != victim)
                    .map(n -> "localhost:" + n.ports().get(0)).toList());
        }
        String others = String.join(",", cluster().nodes().stream().filter(n -> n.id() != victim)
                .map(n -> Integer.toString(n.id())).toList());
        int victimPort = cluster().node(victim).ports().get(0);
        try (InjectProcess inject = new InjectProcess(scratch.repo(), scratch.home(), "--partition",
                victim + "|" + others);
             LeaderWatch majority = new LeaderWatch(majorityBootstrap)) {
            inject.awaitLine("cut " + victim + "|" + others, STEP_TIMEOUT);
            inject.awaitLine("holding until Ctrl-C", STEP_TIMEOUT);
            // Asked of the partition's leader itself: an Admin client may keep asking the cut node, which
            // answers from its stale image (that made this fail in CI).
            assertTrue(awaitIsr(leaderPort, tp, isr -> !isr.isEmpty() && !isr.contains(victim), ISR_CHANGE_TIMEOUT),
                    () -> "the majority drops the cut node " + victim + " from the ISR of " + tp + "\n"
                            + inject.output() + nodeLogTails(60));
            // A fresh client connection to the cut node is served: clients are not cut off.
            assertFalse(ApiVersionsProbe.fetch("127.0.0.1", victimPort, 5_000).isEmpty());
            inject.interrupt();
            assertTrue(inject.awaitLine("healed " + victim + "|" + others, STEP_TIMEOUT).contains("removed"));
            inject.awaitExit(STEP_TIMEOUT);
            assertTrue(Long.parseLong(inject.output().replaceAll("(?s).*removed \\((\\d+) packets dropped.*", "$1")) > 0,
                    "the cut dropped packets: " + inject.output());
            assertFalse(InjectChain.exists("filter"), "Ctrl-C removed the chain");
            assertTrue(majority.awaitIsrMembership(tp, victim, true, ISR_CHANGE_TIMEOUT),
                    "healed, node " + victim + " is back in the ISR of " + tp);
        }
    }

    @Test
    void slowClientLinkDelaysClientsNotNodes() throws Exception {
        assumeNetworkFaults();
        String topic = "inject-slow";
        createTopic(topic);
        long delayMs = 400;
        try (KafkaProducer<String, String> producer = acksAllProducer()) {
            sendAcked(producer, topic, "before");
            try (InjectProcess inject = new InjectProcess(scratch.repo(), scratch.home(), "--slow-client-link",
                    delayMs + "ms", "--for", "15s")) {
                inject.awaitLine("slowed client links by " + delayMs + "ms", STEP_TIMEOUT);
                // Each way: a request and its answer each wait the delay, so no round trip is shorter.
                for (LocalCluster.Node n : cluster().nodes()) {
                    long start = System.nanoTime();
                    assertFalse(ApiVersionsProbe.fetch("127.0.0.1", n.ports().get(0), 10_000).isEmpty());
                    long tookMs = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(tookMs >= 2 * delayMs, "a round trip to node " + n.id() + " took " + tookMs + " ms");
                }
                // The producer's open connections are reset once and it goes on through the delay;
                // replication between nodes is not delayed, so acks=all still completes.
                sendAcked(producer, topic, "during");
                try (Socket idle = new Socket("127.0.0.1", cluster().nodes().get(0).ports().get(0))) {
                    // An idle client connection, through a proxy: healing must close it where the
                    // client sees it, or the client hangs on it until its own request timeout.
                    idle.setSoTimeout((int) STEP_TIMEOUT.toMillis());
                    inject.awaitLine("healed client links", STEP_TIMEOUT);
                    assertTrue(seesClosed(idle), "the client sees its delayed connection closed");
                }
                String healed = inject.awaitLine("healed client links", STEP_TIMEOUT);
                assertEquals(0, inject.awaitExit(STEP_TIMEOUT), inject.output());
                Matcher m = Pattern.compile("(\\d+) delayed connections").matcher(healed);
                assertTrue(m.find() && Long.parseLong(m.group(1)) >= cluster().nodes().size(), healed);
            }
            assertFalse(InjectChain.exists("nat"), "healing removed the redirect");
            NodeCgroups.find().ifPresent(cg -> assertFalse(Files.exists(cg.mount().resolve(NodeCgroups.INJECT_GROUP)),
                    "healing removed the inject cgroup"));
            sendAcked(producer, topic, "after");
        }
    }

    @Test
    void pauseNodeStopsTheNodeAndCtrlCResumesIt() throws Exception {
        int node = 2;
        ProcessHandle process = cluster().runningProcess(node);
        try (InjectProcess inject = new InjectProcess(scratch.repo(), scratch.home(), "--pause-node",
                Integer.toString(node), "--for", "5m")) {
            inject.awaitLine("paused node " + node + " (SIGSTOP to pid " + process.pid(), STEP_TIMEOUT);
            assertTrue(awaitStopped(process, true), "node " + node + " is stopped");
            inject.interrupt();
            inject.awaitLine("resumed node " + node + " (SIGCONT to pid " + process.pid(), STEP_TIMEOUT);
            inject.awaitExit(STEP_TIMEOUT);
            assertTrue(awaitStopped(process, false), "node " + node + " runs again after Ctrl-C");
        }
    }

    /** Whether the peer closed {@code socket} (end of stream or a reset) before its read timeout. */
    private static boolean seesClosed(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /** Polls the process state in /proc until it is (or is not) T, stopped; false if it did not get there in time. */
    private static boolean awaitStopped(ProcessHandle process, boolean stopped) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String status = Files.readString(Path.of("/proc/" + process.pid() + "/status"));
            boolean isStopped = status.lines().anyMatch(l -> l.startsWith("State:") && l.contains("T ("));
            if (isStopped == stopped) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
