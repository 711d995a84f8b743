package io.sluice.chaos.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.chaos.inject.InjectChain;
import io.sluice.chaos.inject.NodeCgroups;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line of {@code chaos inject}: one fault at a time, well-formed values, against a cluster's configs. */
@Timeout(10)
class InjectCommandTest {
    @TempDir
    Path home;

    private int run(StringWriter err, String... args) throws Exception {
        Files.createDirectories(home.resolve("config/cluster"));
        for (int n = 1; n <= 3; n++) {
            Files.writeString(home.resolve("config/cluster/node-" + n + ".properties"), "node.id=" + n + "\n"
                    + "listeners=PLAINTEXT://localhost:" + (n * 100 + 8992) + ",CONTROLLER://localhost:" + (n * 100 + 8993)
                    + "\n");
        }
        CommandLine cl = new CommandLine(new ChaosCommand());
        cl.setErr(new PrintWriter(err));
        String[] withHome = new String[args.length + 3];
        withHome[0] = "inject";
        System.arraycopy(args, 0, withHome, 1, args.length);
        withHome[args.length + 1] = "--home";
        withHome[args.length + 2] = home.toString();
        return cl.execute(withHome);
    }

    @Test
    void exactlyOneFaultIsNamed() throws Exception {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "--pause-node", "2", "--partition", "1|2,3"));
        assertTrue(err.toString().contains("mutually exclusive"), err.toString());
        assertEquals(2, run(new StringWriter()));
    }

    @Test
    void malformedValuesAreUsageErrorsSayingWhy() throws Exception {
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "--partition", "1,2,3", "--for", "30s"));
        assertTrue(err.toString().contains("e.g. 1|2,3"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "--pause-node", "2", "--for", "10"));
        assertTrue(err.toString().contains("200ms, 10s"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "--pause-node", "4", "--for", "10s"));
        assertTrue(err.toString().contains("no node 4"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "--kill-leader", "orders"));
        assertTrue(err.toString().contains("TOPIC-P"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(err, "--pause-node", "2", "--no-restart"));
        assertTrue(err.toString().contains("--no-restart goes with --kill-leader"), err.toString());
    }

    @Test
    void aNodeThatDoesNotRunIsRefusedSayingHowToStartIt() throws Exception {
        // No pid files in this home: nothing runs, so nothing is signalled.
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "--pause-node", "2", "--for", "1s"));
        assertTrue(err.toString().contains("node 2 does not run") && err.toString().contains("bin/sluice cluster start"),
                err.toString());
    }

    @Test
    void aCutIsRefusedSayingWhyWhenTheNodesRunOutsideTheirCgroups() throws Exception {
        // Every pid file names this JVM: a live process, and not in sluice/node-N. Nothing is cut.
        for (int n = 1; n <= 3; n++) {
            Files.createDirectories(home.resolve("data/node-" + n));
            Files.writeString(home.resolve("data/node-" + n + "/broker.pid"), Long.toString(ProcessHandle.current().pid()));
        }
        for (String[] args : new String[][] {{"--partition", "1|2,3", "--for", "1s"}, {"--slow-client-link", "200ms"}}) {
            StringWriter err = new StringWriter();
            assertEquals(1, run(err, args));
            // The first reason that applies here, in the order the command checks them.
            String why = NodeCgroups.find().isEmpty() ? "no cgroup v2 hierarchy is mounted"
                    : InjectChain.whyUnavailable().orElse("runs in cgroup '/"
                            + NodeCgroups.of(ProcessHandle.current().pid()).orElseThrow() + "', not in '/sluice/node-1'");
            assertTrue(err.toString().contains(why), err.toString());
            assertFalse(InjectChain.exists("filter") || InjectChain.exists("nat"), "nothing was cut");
        }
    }
}
