package io.sluice.chaos.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.chaos.net.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sluice cluster stop} (and start) removes the chain of an inject that was killed before
 * it healed, and leaves the chain of one that runs. Run on a home with no node running, so stop
 * has nothing else to do. Needs root and iptables.
 */
@Timeout(60)
class ClusterScriptLeftoversTest {
    @TempDir
    Path home;

    @BeforeEach
    void layOutHome() throws Exception {
        assumeTrue(InjectChain.whyUnavailable().isEmpty(), () -> "skipped: " + InjectChain.whyUnavailable().get());
        Path repo = Path.of(System.getProperty("chaos.repoRoot", "..")).toAbsolutePath().normalize();
        Files.createDirectories(home.resolve("bin"));
        Files.copy(repo.resolve("bin/sluice"), home.resolve("bin/sluice"));
        Files.createDirectories(home.resolve("data"));
    }

    @AfterEach
    void removeChain() {
        InjectChain.removeLeftovers();
    }

    private String clusterStop() throws Exception {
        Path out = home.resolve("stop.out");
        Process p = new ProcessBuilder(home.resolve("bin/sluice").toString(), "cluster", "stop").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "cluster stop returned");
        assertEquals(0, p.exitValue(), Files.readString(out));
        return Files.readString(out);
    }

    private static void leaveChain() {
        for (String table : InjectChain.TABLES) {
            Shell.check("iptables", "-w", "-t", table, "-N", InjectChain.NAME);
            Shell.check("iptables", "-w", "-t", table, "-I", "OUTPUT", "-j", InjectChain.NAME);
        }
        Shell.check("iptables", "-w", "-A", InjectChain.NAME, "-p", "tcp", "--dport", "1", "-j", "DROP");
    }

    @Test
    void aKilledInjectsChainIsRemoved() throws Exception {
        leaveChain();
        // The pid of a process that has exited: the inject that was killed.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        Files.writeString(home.resolve("data/inject.lock"), Long.toString(gone.pid()));

        String out = clusterStop();
        assertTrue(out.contains("removed the iptables rules a killed chaos inject left"), out);
        assertFalse(InjectChain.exists("filter") || InjectChain.exists("nat"), out);
    }

    @Test
    void aRunningInjectsChainIsLeftAlone() throws Exception {
        leaveChain();
        Files.writeString(home.resolve("data/inject.lock"), Long.toString(ProcessHandle.current().pid()));

        String out = clusterStop();
        assertTrue(InjectChain.exists("filter") && InjectChain.exists("nat"), out);
    }
}
