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
    FUZZ;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static FaultKind fromCli(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
