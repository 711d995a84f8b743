package io.sluice.chaos.run;

import io.sluice.chaos.net.ClusterNetwork;
import org.junit.jupiter.api.Assumptions;

/** What a test of a cluster in namespaces needs first: namespaces here, and nobody else's run using them. */
final class ClusterNetworkAssumptions {
    private ClusterNetworkAssumptions() { }

    /** Skips the test, saying why, where namespaces cannot be made or another chaos run holds the network. */
    static void assumeClusterNetworkFree() throws Exception {
        String why = ClusterNetwork.unavailableReason().orElse(null);
        Assumptions.assumeTrue(why == null, "network namespaces unavailable: " + why);
        try {
            ClusterNetwork.removeLeftovers();
        } catch (IllegalStateException e) {
            Assumptions.abort("a chaos run on this machine uses the cluster network: " + e.getMessage());
        }
    }
}
