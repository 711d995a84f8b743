package io.sluice.chaos.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.chaos.net.Shell;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The inject chain is removed by name, also when a crashed inject left it behind. Needs root and iptables. */
@Timeout(30)
class InjectChainTest {
    @BeforeEach
    void needsIptables() {
        assumeTrue(InjectChain.whyUnavailable().isEmpty(), () -> "skipped: " + InjectChain.whyUnavailable().get());
    }

    @AfterEach
    void removeChain() {
        for (String table : new String[] {"filter", "nat"}) {
            Shell.run("iptables", "-w", "-t", table, "-D", "OUTPUT", "-j", InjectChain.NAME);
            Shell.run("iptables", "-w", "-t", table, "-F", InjectChain.NAME);
            Shell.run("iptables", "-w", "-t", table, "-X", InjectChain.NAME);
        }
    }

    private static long jumps() {
        return Arrays.stream(Shell.check("iptables", "-w", "-S", "OUTPUT").split("\n"))
                .filter(l -> l.equals("-A OUTPUT -j " + InjectChain.NAME)).count();
    }

    @Test
    void createRemovesWhatACrashedInjectLeftThenRemoveLeavesNothing() {
        // What an inject killed with SIGKILL leaves: the chain, its jump and a cut rule (on a port nothing uses).
        Shell.check("iptables", "-w", "-N", InjectChain.NAME);
        Shell.check("iptables", "-w", "-I", "OUTPUT", "-j", InjectChain.NAME);
        Shell.check("iptables", "-w", "-A", InjectChain.NAME, "-p", "tcp", "--dport", "1", "-j", "DROP");

        InjectChain chain = InjectChain.create("filter");
        assertEquals("-N " + InjectChain.NAME, Shell.check("iptables", "-w", "-S", InjectChain.NAME),
                "the leftover rule is gone");
        assertEquals(1, jumps());
        chain.append("-p", "tcp", "--dport", "2", "-j", "DROP");
        assertEquals(0, chain.droppedPackets());

        chain.remove();
        assertFalse(InjectChain.exists("filter"));
        assertEquals(0, jumps());
        chain.remove(); // twice: quiet, as healing after a partial inject needs
    }
}
