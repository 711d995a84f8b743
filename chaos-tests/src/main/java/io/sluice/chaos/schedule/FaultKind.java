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
    FLAP;

    /** Needs more than one node, and the harness's namespaces (the nemesis skips it, saying why, without them). */
    public boolean betweenNodes() {
        return this == ISOLATE || this == SPLIT || this == ONE_WAY || this == BRIDGE || this == FLAP;
    }

    /** Can be aimed at a role the cluster names (partition leader, follower, quorum leader). */
    public boolean aimable() {
        return this == KILL || this == PAUSE || this == ISOLATE || this == ONE_WAY || this == FLAP;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static FaultKind fromCli(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
