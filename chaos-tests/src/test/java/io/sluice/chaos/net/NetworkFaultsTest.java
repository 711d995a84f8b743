package io.sluice.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each partition shape cuts exactly what it says, on real namespaces: a listener runs in every
 * node's namespace and plain TCP connects go between them (bash's /dev/tcp inside a namespace)
 * and from the root namespace (the clients' side). A connect that must pass passes; one that must
 * fail fails and the cut rule's drop counter proves the firewall, not chance, stopped it.
 * Skipped, saying why, where namespaces cannot be made.
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetworkFaultsTest {
    private static final int PORT = 7070;
    private static final int NODES = 3;
    /** A refused or unanswered connect inside one bridge: 2 s is far beyond a working connect. */
    private static final int CONNECT_TIMEOUT_S = 2;

    private static ClusterNetwork network;
    private static Firewall firewall;
    private static final List<Process> listeners = new ArrayList<>();

    @BeforeAll
    static void buildNetworkAndListeners() throws Exception {
        String why = ClusterNetwork.unavailableReason().orElse(null);
        Assumptions.assumeTrue(why == null, "network namespaces unavailable: " + why);
        try {
            network = ClusterNetwork.create(NODES);
        } catch (IllegalStateException e) {
            Assumptions.abort("a chaos run on this machine uses the cluster network: " + e.getMessage());
        }
        firewall = new Firewall(network);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(TcpAcceptor.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        for (int i = 0; i < NODES; i++) {
            List<String> argv = new ArrayList<>(network.execPrefix(i));
            argv.addAll(List.of(java, "-Xmx32m", "-cp", classes, TcpAcceptor.class.getName(), Integer.toString(PORT)));
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            listeners.add(p);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("listener in %s", ClusterNetwork.namespace(i)).isEqualTo("listening");
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        listeners.forEach(Process::destroyForcibly);
        for (Process p : listeners) {
            p.waitFor(10, TimeUnit.SECONDS); // a namespace with a live process in it still goes, but tidily
        }
        if (network != null) {
            network.close();
        }
    }

    @BeforeEach
    void heal() {
        firewall.heal();
    }

    /** A TCP connect from node {@code from}'s namespace to node {@code to}'s listener. */
    private static boolean connects(int from, int to) {
        Shell.Result r = Shell.run("ip", "netns", "exec", ClusterNetwork.namespace(from), "timeout",
                Integer.toString(CONNECT_TIMEOUT_S), "bash", "-c",
                "exec 3<>/dev/tcp/" + ClusterNetwork.address(to) + "/" + PORT);
        return r.ok();
    }

    /** A TCP connect from the root namespace (where the harness's clients and proxies run). */
    private static boolean clientConnects(int to) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ClusterNetwork.address(to), PORT), CONNECT_TIMEOUT_S * 1_000);
            return s.getInputStream().read() == 'k';
        } catch (Exception e) {
            return false;
        }
    }

    private static void assertAllConnect() {
        for (int a = 0; a < NODES; a++) {
            for (int b = 0; b < NODES; b++) {
                if (a != b) {
                    assertThat(connects(a, b)).as("n%d -> n%d healed", a + 1, b + 1).isTrue();
                }
            }
            assertThat(clientConnects(a)).as("client -> n%d", a + 1).isTrue();
        }
    }

    @Test
    void healedNetworkConnectsEveryPairAndTheClients() {
        assertAllConnect();
    }

    @Test
    void isolatedNodeReachesNoPeerButClientsStillReachIt() {
        firewall.cut(NetworkPartition.isolate(0, NODES));
        long droppedBefore = firewall.droppedPackets(1);

        assertThat(connects(0, 1)).isFalse();
        assertThat(connects(0, 2)).isFalse();
        assertThat(connects(1, 0)).isFalse();
        assertThat(connects(2, 0)).isFalse();
        assertThat(connects(1, 2)).as("the majority still talks").isTrue();
        assertThat(connects(2, 1)).isTrue();
        assertThat(clientConnects(0)).as("split brain: clients still reach the isolated node").isTrue();
        assertThat(firewall.droppedPackets(1)).as("n2's cut rule dropped n1's SYNs").isGreaterThan(droppedBefore);

        firewall.heal();
        assertAllConnect();
    }

    @Test
    void oneWayPartitionDropsConnectionsFromAToBWhileBStillReachesA() {
        firewall.cut(NetworkPartition.oneWay(0, 1));

        assertThat(connects(0, 1)).as("n1 -> n2 dropped").isFalse();
        assertThat(firewall.droppedPackets(1)).isPositive();
        assertThat(connects(1, 0)).as("n2 -> n1 passes, its replies included").isTrue();
        assertThat(connects(0, 2)).isTrue();
        assertThat(connects(2, 1)).isTrue();
        assertThat(firewall.droppedPackets(0)).as("nothing is dropped at n1").isZero();
    }

    @Test
    void bridgeLetsTheMiddleNodeTalkToBothHalvesButNotTheHalvesToEachOther() {
        // Bridge node n2 (index 1): n1-n2 and n2-n3 pass, n1-n3 is cut both ways.
        firewall.cut(NetworkPartition.bridge(1, NODES));

        assertThat(connects(0, 1)).isTrue();
        assertThat(connects(1, 0)).isTrue();
        assertThat(connects(1, 2)).isTrue();
        assertThat(connects(2, 1)).isTrue();
        assertThat(connects(0, 2)).isFalse();
        assertThat(connects(2, 0)).isFalse();
        assertThat(firewall.droppedPackets(0) + firewall.droppedPackets(2)).isPositive();
    }

    @Test
    void majorityMinoritySplitOfThreeCutsTheMinorityOffBothWays() {
        firewall.cut(NetworkPartition.majorityMinority(Set.of(2), NODES));

        assertThat(connects(2, 0)).isFalse();
        assertThat(connects(0, 2)).isFalse();
        assertThat(connects(0, 1)).isTrue();
        assertThat(clientConnects(2)).isTrue();
    }

    @Test
    void aFlappingLinkIsCutThenHealedThenCutAgain() {
        NetworkPartition isolate = NetworkPartition.isolate(2, NODES);
        for (int round = 0; round < 2; round++) {
            firewall.cut(isolate);
            assertThat(connects(0, 2)).as("round %d cut", round).isFalse();
            firewall.heal();
            assertThat(connects(0, 2)).as("round %d healed", round).isTrue();
        }
    }
}
