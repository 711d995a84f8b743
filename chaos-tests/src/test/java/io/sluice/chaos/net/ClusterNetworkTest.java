package io.sluice.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness's network leaves nothing behind: closing it removes every namespace, veth, bridge
 * and rule with the prefix, and the next start removes what a crashed run left. Real
 * namespaces; skipped, saying why, where they cannot be made.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterNetworkTest {
    /** Set once the setup got the network: a skipped test must not touch another run's. */
    private boolean ours;

    @BeforeEach
    void needNamespacesNobodyElseUses() throws Exception {
        String why = ClusterNetwork.unavailableReason().orElse(null);
        Assumptions.assumeTrue(why == null, "network namespaces unavailable: " + why);
        try {
            ClusterNetwork.removeLeftovers();
        } catch (IllegalStateException e) {
            Assumptions.abort("a chaos run on this machine uses the cluster network: " + e.getMessage());
        }
        ours = true;
    }

    @AfterEach
    void removeEverything() throws Exception {
        if (ours) {
            ClusterNetwork.removeLeftovers();
        }
    }

    @Test
    void theProbeMakesARealNamespaceAndLeavesNothingBehind() {
        assertThat(ClusterNetwork.probe()).isEmpty();
        assertThat(Shell.check("ip", "netns", "list")).doesNotContain(ClusterNetwork.PROBE_PREFIX);
        assertThat(ClusterNetwork.leftovers()).isEmpty();
    }

    @Test
    void closeRemovesEveryNamespaceLinkAndRuleItMade() throws Exception {
        try (ClusterNetwork net = ClusterNetwork.create(3)) {
            new Firewall(net).cut(NetworkPartition.isolate(0, 3));
            assertThat(ClusterNetwork.leftovers()).contains("netns slcx-n1", "netns slcx-n2", "netns slcx-n3",
                    "link slcx-br", "link slcx-h1", "link slcx-h2", "link slcx-h3");
            assertThat(Shell.check("ip", "-4", "addr", "show", "dev", "slcx-br")).contains(ClusterNetwork.clientAddress());
        }
        assertThat(ClusterNetwork.leftovers()).isEmpty();
        assertThat(Shell.check("ip", "-4", "route", "show")).doesNotContain(ClusterNetwork.SUBNET + ".");
    }

    @Test
    void theNextStartRemovesWhatACrashedRunLeftBehind() throws Exception {
        // What a SIGKILLed run leaves: namespaces (one with a cut rule), a veth and a bridge with the
        // harness address, and a root-namespace rule with the harness comment.
        Shell.check("ip", "netns", "add", "slcx-n1");
        Shell.check("ip", "netns", "add", "slcx-n7");
        Shell.check("ip", "netns", "exec", "slcx-n7", "iptables", "-N", Firewall.CHAIN);
        Shell.check("ip", "link", "add", "slcx-br", "type", "bridge");
        Shell.check("ip", "addr", "add", ClusterNetwork.clientAddress() + "/24", "dev", "slcx-br");
        Shell.check("ip", "link", "add", "slcx-h9", "type", "veth", "peer", "name", "slcx-v9");
        Shell.check("iptables", "-A", "FORWARD", "-i", "slcx-br", "-o", "slcx-br", "-m", "comment", "--comment",
                ClusterNetwork.RULE_COMMENT, "-j", "ACCEPT");
        assertThat(ClusterNetwork.leftovers()).hasSizeGreaterThanOrEqualTo(6);

        try (ClusterNetwork net = ClusterNetwork.create(2)) {
            assertThat(ClusterNetwork.leftovers()).containsExactlyInAnyOrder("netns slcx-n1", "netns slcx-n2",
                    "link slcx-br", "link slcx-h1", "link slcx-h2");
        }
        assertThat(ClusterNetwork.leftovers()).isEmpty();
        assertThat(Shell.check("iptables", "-S")).doesNotContain(ClusterNetwork.RULE_COMMENT);
    }

    @Test
    void aSecondNetworkIsRefusedWhileOneIsLive() throws Exception {
        try (ClusterNetwork first = ClusterNetwork.create(2)) {
            assertThatThrownBy(() -> ClusterNetwork.create(2))
                    .hasMessageContaining("another chaos run");
            assertThatThrownBy(ClusterNetwork::removeLeftovers).hasMessageContaining("another chaos run");
            assertThat(ClusterNetwork.leftovers()).as("the live network is untouched").contains("netns slcx-n1");
        }
    }

    @Test
    void partitionShapesNameTheLinksTheyCut() {
        assertThat(NetworkPartition.isolate(0, 3).cuts()).containsExactlyInAnyOrder(
                new NetworkPartition.Link(0, 1), new NetworkPartition.Link(1, 0),
                new NetworkPartition.Link(0, 2), new NetworkPartition.Link(2, 0));
        assertThat(NetworkPartition.bridge(1, 3).cuts()).containsExactlyInAnyOrder(
                new NetworkPartition.Link(0, 2), new NetworkPartition.Link(2, 0));
        assertThat(NetworkPartition.bridge(2, 5).cuts()).hasSize(8); // {n1,n2} x {n4,n5}, both ways
        assertThat(NetworkPartition.majorityMinority(Set.of(3, 4), 5).cuts()).hasSize(12);
        assertThat(NetworkPartition.oneWay(0, 1).twoWay()).isFalse();
        assertThat(NetworkPartition.oneWay(0, 1).cuts()).containsExactly(new NetworkPartition.Link(0, 1));
    }
}
