package io.sluice.chaos.net;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A network partition between cluster nodes, as the set of directed links it cuts (Jepsen's
 * "grudge"), with the factories for the shapes the nemesis draws. Nodes are indices 0..n-1.
 * Immutable, thread-safe.
 *
 * <p>A cut link {@code from -> to} means: every connection {@code from} opens to {@code to} is
 * dead (its SYN and all later packets are dropped at {@code to}). A two-way cut adds the reverse
 * link, and then also drops the replies on connections either side had open, so nothing flows.
 * Client links (the root namespace, through the proxies) are never cut here: an isolated node
 * still answers clients, which is the split-brain case.
 *
 * @param description what it is, for the history ("isolate n2", "one-way n1->n3", ...)
 * @param cuts        directed links cut
 * @param twoWay      pairs cut in both directions drop every packet; one-way links drop only
 *                    the packets of connections the sender opened
 */
public record NetworkPartition(String description, Set<Link> cuts, boolean twoWay) {

    /** A directed link between two node indices. */
    public record Link(int from, int to) {
        @Override
        public String toString() {
            return "n" + (from + 1) + "->n" + (to + 1);
        }
    }

    public NetworkPartition {
        cuts = Set.copyOf(cuts);
    }

    /** Every link between the two groups, in both directions. */
    public static NetworkPartition split(String description, Set<Integer> side, int nodes) {
        Set<Link> cuts = new LinkedHashSet<>();
        for (int a : side) {
            for (int b = 0; b < nodes; b++) {
                if (!side.contains(b)) {
                    cuts.add(new Link(a, b));
                    cuts.add(new Link(b, a));
                }
            }
        }
        return new NetworkPartition(description, cuts, true);
    }

    /** One node cut off from every other node (clients still reach it). */
    public static NetworkPartition isolate(int node, int nodes) {
        return split("isolate n" + (node + 1), Set.of(node), nodes);
    }

    /** The given minority against the rest. */
    public static NetworkPartition majorityMinority(Set<Integer> minority, int nodes) {
        if (minority.size() * 2 >= nodes) {
            throw new IllegalArgumentException("a minority of " + nodes + " nodes is fewer than half: " + minority);
        }
        List<String> names = minority.stream().sorted().map(i -> "n" + (i + 1)).toList();
        return split("minority " + names + " | majority", minority, nodes);
    }

    /** Connections from {@code from} to {@code to} dead; {@code to} still reaches {@code from}. */
    public static NetworkPartition oneWay(int from, int to) {
        Link link = new Link(from, to);
        return new NetworkPartition("one-way " + link + " dropped", Set.of(link), false);
    }

    /**
     * Jepsen's bridge: two halves that cannot talk to each other, and one node that talks to both
     * (for 3 nodes: A-B, B-C, no A-C).
     */
    public static NetworkPartition bridge(int bridgeNode, int nodes) {
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            if (i != bridgeNode) {
                others.add(i);
            }
        }
        Set<Integer> half = new LinkedHashSet<>(others.subList(0, others.size() / 2));
        Set<Link> cuts = new LinkedHashSet<>();
        for (int a : half) {
            for (int b : others) {
                if (!half.contains(b)) {
                    cuts.add(new Link(a, b));
                    cuts.add(new Link(b, a));
                }
            }
        }
        return new NetworkPartition("bridge via n" + (bridgeNode + 1) + " (cut " + cuts + ")", cuts, true);
    }

    @Override
    public String toString() {
        return description;
    }
}
