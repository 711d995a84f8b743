package io.sluice.chaos.net;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts and heals links between the nodes of a {@link ClusterNetwork} with iptables rules inside
 * their namespaces. Each namespace gets its own chain ({@link #CHAIN}, jumped to from INPUT), so
 * healing is one flush per node and never touches a rule the harness did not make. Packets are
 * dropped, not rejected: a real partition gives no answer, so clients and peers time out.
 *
 * <p>Owned by the nemesis (one thread); not thread-safe. At most one partition is in force; a new
 * one replaces it.
 */
public final class Firewall {
    public static final String CHAIN = "SLCX-CUT";

    private final ClusterNetwork network;
    private NetworkPartition current;

    public Firewall(ClusterNetwork network) {
        this.network = network;
        for (int i = 0; i < network.nodes(); i++) {
            iptables(i, "-N", CHAIN);
            iptables(i, "-I", "INPUT", "-j", CHAIN);
            // A rule matching on conntrack (it only counts) turns connection tracking on in the
            // namespace now, before the node opens any connection. Without it tracking starts with the
            // first one-way cut, picks established connections up mid-stream and may take a reply for
            // the ORIGINAL direction: the cut then drops the wrong side's packets (seen: a one-way
            // n2->n1 cut killed n1's fetches from n2 and left n2's fetches from n1 alone).
            iptables(i, "-A", "INPUT", "-m", "conntrack", "--ctdir", "ORIGINAL");
        }
    }

    /** Puts {@code partition} in force (healing any earlier one first). */
    public void cut(NetworkPartition partition) {
        heal();
        for (NetworkPartition.Link link : partition.cuts()) {
            String from = ClusterNetwork.address(link.from());
            if (partition.twoWay()) {
                iptables(link.to(), "-A", CHAIN, "-s", from, "-j", "DROP");
            } else {
                // Only packets in the direction of a connection `from` opened: its SYN and its data.
                // Replies on connections `to` opened pass, so `to` still reaches `from`.
                iptables(link.to(), "-A", CHAIN, "-s", from, "-m", "conntrack", "--ctdir", "ORIGINAL", "-j", "DROP");
            }
        }
        current = partition;
    }

    /** Removes every cut: all links pass again. */
    public void heal() {
        for (int i = 0; i < network.nodes(); i++) {
            iptables(i, "-F", CHAIN);
        }
        current = null;
    }

    /** The partition in force, or null. */
    public NetworkPartition current() {
        return current;
    }

    /** Packets dropped so far by the cut rules in node {@code node}'s namespace (a positive signal for tests). */
    public long droppedPackets(int node) {
        String listing = iptables(node, "-L", CHAIN, "-v", "-x", "-n");
        long sum = 0;
        for (String line : listing.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[2].equals("DROP")) {
                sum += Long.parseLong(f[0]);
            }
        }
        return sum;
    }

    private String iptables(int node, String... args) {
        List<String> argv = new ArrayList<>(network.execPrefix(node));
        argv.add("iptables");
        argv.addAll(List.of(args));
        return Shell.check(argv.toArray(String[]::new));
    }
}
