package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Sluice cluster for tests: processes on loopback, each with its own ports and temporary data
 * dir: {@code size} combined-mode nodes that are all voters of one quorum ({@link #start}), or
 * controller-only voters beside broker-only nodes ({@link #startIsolated}). They start together (a
 * quorum needs a majority) and {@link #close()} kills and removes them all. Not thread-safe.
 */
public final class ClusterProcess implements AutoCloseable {

    private static final int LISTEN_PORT_MIN = 20_000;
    private static final int LISTEN_PORT_SPAN = 12_000;
    private static final int LISTEN_PORT_ATTEMPTS_MAX = 100;

    /** Clusters started and not closed yet, for {@link ClusterLogsOnFailure}. */
    private static final Set<ClusterProcess> OPEN = ConcurrentHashMap.newKeySet();

    private static final Pattern SLUICE_ERROR = Pattern.compile(" ERROR \\[[^]]*] (i\\.s\\.|io\\.sluice\\.)");

    private final List<BrokerProcess> nodes = new ArrayList<>();

    private ClusterProcess() { }

    /** Starts {@code size} combined-mode nodes (ids 1..size) with the given extra settings on every node. */
    public static ClusterProcess start(int size, Map<String, String> extra) throws IOException, InterruptedException {
        return start(0, size, 0, extra, id -> Map.of());
    }

    /**
     * Starts {@code size} combined-mode nodes (ids 1..size) with the given extra settings on every
     * node, plus {@code perNode}'s for each node id (e.g. its {@code broker.rack}), which win over the shared ones.
     */
    public static ClusterProcess start(int size, Map<String, String> extra, IntFunction<Map<String, String>> perNode)
            throws IOException, InterruptedException {
        return start(0, size, 0, extra, perNode);
    }

    /**
     * Starts {@code controllers} controller-only voters (ids 1..controllers) and {@code brokers}
     * broker-only nodes (the next ids), Kafka's isolated mode.
     */
    public static ClusterProcess startIsolated(int controllers, int brokers, Map<String, String> extra)
            throws IOException, InterruptedException {
        return start(controllers, 0, brokers, extra, id -> Map.of());
    }

    private static ClusterProcess start(int controllers, int combined, int brokers, Map<String, String> extra,
                                        IntFunction<Map<String, String>> perNode) throws IOException, InterruptedException {
        ClusterProcess c = new ClusterProcess();
        OPEN.add(c);
        try {
            int size = controllers + combined + brokers;
            int voterCount = controllers + combined;
            int brokerCount = combined + brokers;
            int[] clientPorts = new int[size];
            int[] quorumPorts = new int[size];
            List<String> voters = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                clientPorts[i] = listenablePort();
                quorumPorts[i] = listenablePort();
                if (i < voterCount) {
                    voters.add((i + 1) + "@localhost:" + quorumPorts[i]);
                }
            }
            Map<String, String> settings = new HashMap<>(Map.of(
                    "default.replication.factor", Integer.toString(Math.min(3, brokerCount)),
                    "offsets.topic.replication.factor", Integer.toString(Math.min(3, brokerCount)),
                    "offsets.topic.num.partitions", "3"));
            settings.putAll(extra);
            for (int i = 0; i < size; i++) {
                String roles = i < controllers ? BrokerProcess.CONTROLLER_ONLY
                        : i < voterCount ? BrokerProcess.COMBINED : BrokerProcess.BROKER_ONLY;
                Map<String, String> nodeSettings = new HashMap<>(settings);
                nodeSettings.putAll(perNode.apply(i + 1));
                c.nodes.add(BrokerProcess.clusterMember(i + 1, roles, clientPorts[i], quorumPorts[i],
                        String.join(",", voters), nodeSettings));
            }
            for (BrokerProcess n : c.nodes) {
                n.spawn();
            }
            for (BrokerProcess n : c.nodes) {
                n.awaitStarted();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * A free port below Linux's ephemeral range (32768-60999). A port the kernel hands out for
     * listening (port 0) can be handed out again as the source port of one of the cluster's own many
     * outgoing connections before the node binds it; ports below the range never are.
     */
    static int listenablePort() throws IOException {
        for (int attempt = 0; attempt < LISTEN_PORT_ATTEMPTS_MAX; attempt++) {
            int port = LISTEN_PORT_MIN + ThreadLocalRandom.current().nextInt(LISTEN_PORT_SPAN);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("localhost", port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in " + LISTEN_PORT_MIN + "-" + (LISTEN_PORT_MIN + LISTEN_PORT_SPAN));
    }

    static Set<ClusterProcess> open() {
        return Set.copyOf(OPEN);
    }

    /** Node {@code id} (1-based, as node.id). */
    public BrokerProcess node(int id) {
        return nodes.get(id - 1);
    }

    public List<BrokerProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** All brokers' client listeners, as bootstrap.servers. */
    public String bootstrap() {
        return nodes.stream().filter(BrokerProcess::isBroker).map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        OPEN.remove(this);
        for (BrokerProcess n : nodes) {
            try {
                n.close();
            } catch (IOException | InterruptedException | RuntimeException e) {
                // keep closing the others: a leftover process would fail the next test
            }
        }
    }

    /**
     * Fails unless every node's log is free of Sluice ERROR lines, uncaught exceptions and Netty
     * buffer leaks. Pauses, kills and elections may have happened: the Ratis client's own ERROR
     * lines are left out (it logs every request that failed while the quorum had no leader, and
     * Sluice's submit answers those with an error code).
     */
    public void assertLogsClean() {
        for (BrokerProcess n : nodes) {
            String log = n.log();
            assertThat(log).as("node %d: Netty buffer leaks", n.nodeId()).doesNotContain("LEAK:");
            assertThat(BrokerProcess.errorsAndStackTraces(log).stream()
                    .filter(l -> l.startsWith("Exception in thread ") || SLUICE_ERROR.matcher(l).find()))
                    .as("node %d's errors", n.nodeId()).isEmpty();
        }
    }
}
