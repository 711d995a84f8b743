package io.sluice.chaos.inject;

import io.sluice.chaos.net.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The iptables chain {@code chaos inject} keeps its rules in, one per table ({@link #NAME}, jumped to
 * from OUTPUT: on the loopback every packet of a local connection leaves through OUTPUT, tagged with
 * its socket's cgroup). Rules are only ever added to this chain, so healing is one flush and removal
 * is by name; a chain left by a crashed inject is removed at the next {@link #create}. Not thread-safe.
 */
public final class InjectChain {
    public static final String NAME = "SLUICE-INJECT";
    /** The tables an inject puts rules in: filter (drops, resets) and nat (the slow link's redirect). */
    static final List<String> TABLES = List.of("filter", "nat");

    private final String table;

    private InjectChain(String table) {
        this.table = table;
    }

    /** Removes what a crashed inject left in {@code table}, then makes the chain and its jump anew. */
    public static InjectChain create(String table) {
        InjectChain chain = new InjectChain(table);
        chain.remove();
        chain.iptables("-N", NAME);
        chain.iptables("-I", "OUTPUT", "-j", NAME);
        return chain;
    }

    /** Appends a rule: {@code args} after {@code -A SLUICE-INJECT}. */
    public void append(String... args) {
        List<String> argv = new ArrayList<>(List.of("-A", NAME));
        argv.addAll(List.of(args));
        iptables(argv.toArray(String[]::new));
    }

    /** Packets that matched the chain's DROP rules so far: a positive signal that a cut bites. */
    public long droppedPackets() {
        long sum = 0;
        for (String line : iptables("-L", NAME, "-v", "-x", "-n").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[2].equals("DROP")) {
                sum += Long.parseLong(f[0]);
            }
        }
        return sum;
    }

    /** Removes the jump and the chain; quiet if either is gone already (idempotent). */
    public void remove() {
        while (Shell.run(base("-D", "OUTPUT", "-j", NAME)).ok()) {
            // a crashed inject and a new one may each have left a jump
        }
        Shell.run(base("-F", NAME));
        Shell.run(base("-X", NAME));
    }

    /** Why iptables rules cannot be made here (not root, no iptables), or empty if they can. */
    public static Optional<String> whyUnavailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                // Uid: real effective saved fs
                if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
                    return Optional.of("iptables rules need root (effective uid " + line.split("\\s+")[2] + ")");
                }
            }
        } catch (IOException e) {
            return Optional.of("cannot read /proc/self/status: " + e.getMessage());
        }
        Shell.Result r = Shell.run("iptables", "-w", "-S", "OUTPUT");
        return r.ok() ? Optional.empty() : Optional.of("iptables does not work here (Debian: apt-get install -y "
                + "iptables): " + r.output());
    }

    /** Removes the chain from every table it may be in; whether there was one (a killed inject's). */
    public static boolean removeLeftovers() {
        boolean found = false;
        for (String table : TABLES) {
            if (exists(table)) {
                new InjectChain(table).remove();
                found = true;
            }
        }
        return found;
    }

    /** Whether the chain exists in {@code table} (for tests and the leftover check). */
    public static boolean exists(String table) {
        return Shell.run("iptables", "-w", "-t", table, "-S", NAME).ok();
    }

    private List<String> base(String... args) {
        List<String> argv = new ArrayList<>(List.of("iptables", "-w", "-t", table));
        argv.addAll(List.of(args));
        return argv;
    }

    private String iptables(String... args) {
        return Shell.check(base(args).toArray(String[]::new));
    }
}
