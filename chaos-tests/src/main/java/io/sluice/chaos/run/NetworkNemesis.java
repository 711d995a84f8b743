package io.sluice.chaos.run;

import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.net.Firewall;
import io.sluice.chaos.net.NetworkPartition;
import io.sluice.chaos.schedule.FaultEvent;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.target.Cluster;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The faults between nodes: builds the {@link NetworkPartition} a fault names, puts it in force
 * with the cluster's {@link Firewall}, holds it (cutting and healing over and over for a flapping
 * link), and heals. While a partition that cuts off the partition leader holds, it watches for
 * the leadership to move (a positive signal recorded in the notes, with the time it took). Runs
 * on the schedule runner's thread; not thread-safe.
 */
final class NetworkNemesis {
    /** How often leadership is asked for while a partition holds; a lookup is one Metadata round trip. */
    private static final long LEADER_POLL_MS = 250;

    private final Cluster cluster;
    private final RoleLocator roles;
    private final History history;
    private final List<String> notes;

    NetworkNemesis(Cluster cluster, RoleLocator roles, History history, List<String> notes) {
        this.cluster = cluster;
        this.roles = roles;
        this.history = history;
        this.notes = notes;
    }

    /** The partition {@code f} stands for, {@code node} being the index it is aimed at. */
    static NetworkPartition partitionFor(FaultEvent f, int node, int nodes) {
        return switch (f.kind()) {
            case ISOLATE, FLAP -> NetworkPartition.isolate(node, nodes);
            case SPLIT -> {
                Set<Integer> minority = new LinkedHashSet<>();
                for (int i = 0; i < Math.max(1, Math.min(f.param(), (nodes - 1) / 2)); i++) {
                    minority.add((node + i) % nodes);
                }
                yield NetworkPartition.majorityMinority(minority, nodes);
            }
            case ONE_WAY -> NetworkPartition.oneWay(node, f.param() % nodes == node ? (node + 1) % nodes
                    : f.param() % nodes);
            case BRIDGE -> NetworkPartition.bridge(node, nodes);
            default -> throw new IllegalArgumentException(f.kind() + " is not a fault between nodes");
        };
    }

    /** Injects, holds and heals {@code f}; the firewall must exist (the caller skips otherwise). */
    void apply(FaultEvent f, int node, String aimedAt) throws InterruptedException {
        Firewall firewall = cluster.firewall().orElseThrow();
        NetworkPartition partition = partitionFor(f, node, cluster.size());
        String what = f + " [" + aimedAt + "] " + partition;
        Optional<Integer> leaderBefore = leaderQuietly(cluster.bootstrap());
        history.nemesis(OpType.INVOKE, cluster.node(node).name(), what);
        long cutAt = System.nanoTime();
        long end = cutAt + f.durationMs() * 1_000_000L;
        firewall.cut(partition);
        try {
            if (f.kind() == FaultKind.FLAP) {
                flap(firewall, partition, end, Math.max(50, f.param()));
            } else {
                watchLeadership(partition, leaderBefore, cutAt, end);
            }
        } finally {
            firewall.heal();
        }
        history.nemesis(OpType.OK, cluster.node(node).name(), what);
    }

    private static void flap(Firewall firewall, NetworkPartition partition, long endNanos, long periodMs)
            throws InterruptedException {
        boolean cut = true;
        while (System.nanoTime() < endNanos) {
            Thread.sleep(Math.min(periodMs, Math.max(1, (endNanos - System.nanoTime()) / 1_000_000)));
            if (cut) {
                firewall.heal();
            } else {
                firewall.cut(partition);
            }
            cut = !cut;
        }
    }

    /**
     * Until the partition ends: asks the nodes that kept the leader's old peers (every node the
     * old leader cannot reach) who leads, and notes the first answer naming someone else.
     */
    private void watchLeadership(NetworkPartition partition, Optional<Integer> leaderBefore, long cutAt, long end)
            throws InterruptedException {
        if (leaderBefore.isEmpty()) {
            sleepUntil(end);
            return;
        }
        int leaderIndex = cluster.nodes().indexOf(cluster.byNodeId(leaderBefore.get()).orElse(null));
        List<String> across = new ArrayList<>();
        for (NetworkPartition.Link l : partition.cuts()) {
            if (l.from() == leaderIndex && partition.twoWay()) {
                across.add(cluster.node(l.to()).bootstrap());
            }
        }
        if (across.isEmpty()) {
            sleepUntil(end);
            return;
        }
        String bootstrap = String.join(",", new LinkedHashSet<>(across));
        while (System.nanoTime() < end) {
            Optional<Integer> now = leaderQuietly(bootstrap);
            if (now.isPresent() && !now.equals(leaderBefore)) {
                notes.add("leadership of partition 0 moved from node " + leaderBefore.get() + " to node "
                        + now.get() + " " + (System.nanoTime() - cutAt) / 1_000_000 + "ms after the cut");
                sleepUntil(end);
                return;
            }
            Thread.sleep(LEADER_POLL_MS);
        }
        notes.add("leadership of partition 0 stayed with node " + leaderBefore.get() + " for the whole cut");
    }

    private Optional<Integer> leaderQuietly(String bootstrap) {
        try {
            return roles.partitionLeader(bootstrap);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static void sleepUntil(long endNanos) throws InterruptedException {
        long wait = endNanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
