package io.sluice.chaos.schedule;

import java.util.Locale;

/** The faults the nemesis can inject; names are what {@code --faults} takes (lower case). */
public enum FaultKind {
    /** SIGKILL, down for a while, restart. The page cache survives. */
    KILL,
    /** SIGSTOP, then SIGCONT: a long GC pause or a stuck VM. */
    PAUSE,
    /** SIGKILL, then every log file cut back to its recovery point with garbage after it, restart. */
    POWER_LOSS,
    /** Bytes flipped inside a batch of a closed segment while the broker runs. */
    CORRUPT,
    /** The broker's filesystem filled to the last byte for a while, then freed. Needs a tmpfs mount. */
    DISK_FULL,
    /** Every client byte delayed through the proxy. */
    SLOW,
    /** Client connections hang: open, but nothing flows. */
    STALL,
    /** Client connections reset, and new ones refused for a while. */
    CUT,
    /** The protocol fuzzer: random and mutated frames from many connections. */
    FUZZ,
    /**
     * One node (or the role's holder) cut off from every other node, both ways; clients still
     * reach it through its proxy: the split-brain case.
     */
    ISOLATE,
    /** A minority of the nodes against the majority, both ways. */
    SPLIT,
    /** Connections from one node to another dead; the other still reaches it. */
    ONE_WAY,
    /** Two halves that cannot talk, and one node that talks to both (A-B, B-C, no A-C). */
    BRIDGE,
    /** A node's links to the others cut and healed over and over (period = the fault's param). */
    FLAP,
    /**
     * Every node in turn, as an operator upgrades a cluster: SIGTERM, wait for the exit, down for
     * a while, start, wait until the cluster serves and the workload's replicas are back in sync.
     */
    ROLLING_RESTART,
    /** The same as {@link #ROLLING_RESTART} with SIGKILL instead of SIGTERM. */
    ROLLING_KILL,
    /**
     * A node's wall clock steps by {@code param} ms (negative: back) for the fault's duration, then
     * steps back to true time; its monotonic clock is left alone, as NTP stepping a real clock does.
     */
    CLOCK_JUMP,
    /**
     * A node's wall clock runs at {@code param} percent of true speed for the fault's duration, then
     * steps back to true time.
     */
    CLOCK_DRIFT;

    /**
     * Drawn only for clusters: the single-node suite never draws these kinds, so its old seeds
     * replay exactly (faults between nodes, rolling restarts, and clock faults, which came with
     * clusters).
     */
    public boolean clusterOnly() {
        return betweenNodes() || this == ROLLING_RESTART || this == ROLLING_KILL || this == CLOCK_JUMP
                || this == CLOCK_DRIFT;
    }

    /** A rolling restart, clean or not: it goes through every node of the cluster. */
    public boolean rolling() {
        return this == ROLLING_RESTART || this == ROLLING_KILL;
    }

    /** Moves a node's wall clock; needs the node started under libfaketime. */
    public boolean clock() {
        return this == CLOCK_JUMP || this == CLOCK_DRIFT;
    }

    /**
     * Hits several nodes at once where {@code param} says so (a node count, the aimed node first):
     * kill -9 or SIGSTOP of a minority or a majority.
     */
    public boolean multiNode() {
        return this == KILL || this == PAUSE;
    }

    /** Needs more than one node, and the harness's namespaces (the nemesis skips it, saying why, without them). */
    public boolean betweenNodes() {
        return this == ISOLATE || this == SPLIT || this == ONE_WAY || this == BRIDGE || this == FLAP;
    }

    /** Can be aimed at a role the cluster names (partition leader, follower, quorum leader, group coordinator). */
    public boolean aimable() {
        return this == KILL || this == PAUSE || this == ISOLATE || this == ONE_WAY || this == FLAP
                || this == POWER_LOSS || clock();
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static FaultKind fromCli(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
