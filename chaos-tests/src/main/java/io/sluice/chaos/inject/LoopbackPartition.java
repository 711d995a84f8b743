package io.sluice.chaos.inject;

import java.util.Set;

/**
 * {@code --partition 1|2,3}: the nodes on one side cannot reach the nodes on the other, both ways,
 * while clients still reach every node. On a loopback cluster all nodes share 127.0.0.1, so the
 * rule tells them apart by the cgroup of the socket sending: in each node's cgroup, TCP to every
 * port of every node across the cut is dropped (no answer, as a real partition gives none). A
 * connection either side opens, and the one the other side opened, both stall, since each side
 * drops what it sends to the other's ports. Needs root and a cluster started in cgroups. inject and
 * heal are synchronized, so a heal from the shutdown hook never misses a chain being made.
 */
public final class LoopbackPartition implements Fault {
    private final LocalCluster cluster;
    private final NodeCgroups cgroups;
    private final PartitionSides sides;
    private InjectChain chain;
    private boolean healing;

    public LoopbackPartition(LocalCluster cluster, NodeCgroups cgroups, PartitionSides sides) {
        this.cluster = cluster;
        this.cgroups = cgroups;
        this.sides = sides;
    }

    @Override
    public synchronized void inject(ActionLog log) {
        if (healing) {
            return;
        }
        for (int id : sides.nodes()) {
            cluster.node(id);
        }
        InjectChain.whyUnavailable().ifPresent(why -> {
            throw new IllegalStateException("cannot cut between nodes: " + why);
        });
        cgroups.whyNodesNotInCgroups(cluster).ifPresent(why -> {
            throw new IllegalStateException("cannot cut between nodes: " + why);
        });
        InjectChain c = InjectChain.create("filter");
        chain = c;
        int rules = 0;
        for (int from : sides.nodes()) {
            Set<Integer> across = sides.across(from);
            for (int to : across) {
                for (int port : cluster.node(to).ports()) {
                    c.append("-m", "cgroup", "--path", NodeCgroups.nodePath(from), "-p", "tcp", "--dport",
                            Integer.toString(port), "-j", "DROP");
                    rules++;
                }
            }
        }
        log.print("cut " + sides + ": nodes " + sides.left() + " and " + sides.right() + " cannot reach each other ("
                + rules + " DROP rules in iptables chain " + InjectChain.NAME + "); clients still reach every node");
    }

    /** Packets dropped by the cut so far (0 when none is in force). */
    public synchronized long droppedPackets() {
        InjectChain c = chain;
        return c == null ? 0 : c.droppedPackets();
    }

    @Override
    public synchronized void heal(ActionLog log) {
        healing = true;
        InjectChain c = chain;
        if (c == null) {
            return;
        }
        long dropped = c.droppedPackets();
        c.remove();
        chain = null;
        log.print("healed " + sides + ": chain " + InjectChain.NAME + " removed (" + dropped + " packets dropped)");
    }
}
