package io.sluice.chaos.inject;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.chaos.net.Shell;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A scratch home for {@code bin/sluice cluster start}: the checkout's {@code bin/sluice} and
 * {@code config/} copied, its built broker ({@code server/target}) linked, so the cluster's
 * {@code data/} (logs, pid files) lives in a temp dir and not in the checkout. It still binds the
 * example cluster's fixed ports (9092-9293), so only one can run at a time.
 */
final class ScratchClusterHome implements AutoCloseable {
    private static final long COMMAND_TIMEOUT_S = 180;

    private final Path repo;
    private final Path home;
    private final LocalCluster cluster;

    ScratchClusterHome(Path repo) throws IOException {
        this.repo = repo;
        Path jar = repo.resolve("server/target/sluice-server-0.1.0-SNAPSHOT.jar");
        assertTrue(Files.isRegularFile(jar), "build the broker first: " + jar + " is missing");
        this.home = Files.createTempDirectory("sluice-inject-home-");
        Files.createDirectories(home.resolve("bin"));
        Files.copy(repo.resolve("bin/sluice"), home.resolve("bin/sluice"));
        copyTree(repo.resolve("config"), home.resolve("config"));
        Files.createDirectories(home.resolve("server"));
        Files.createSymbolicLink(home.resolve("server/target"), repo.resolve("server/target"));
        this.cluster = LocalCluster.at(home);
        for (LocalCluster.Node n : cluster.nodes()) {
            for (int port : n.ports()) {
                assertTrue(free(port), "port " + port + " is taken: stop whatever runs the local cluster first");
            }
        }
    }

    private static boolean free(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path src : walk.toList()) {
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst);
                }
            }
        }
    }

    Path repo() {
        return repo;
    }

    Path home() {
        return home;
    }

    LocalCluster cluster() {
        return cluster;
    }

    /** {@code bin/sluice cluster start} (or stop), as the user runs it; fails with its output unless it exits 0. */
    void sluiceCluster(String command) throws IOException, InterruptedException {
        Path out = home.resolve("cluster-" + command + ".out");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/sluice").toString(), "cluster", command)
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("SLUICE_NO_BUILD", "1");
        Process p = pb.start();
        boolean exited = p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        assertTrue(exited && p.exitValue() == 0, "bin/sluice cluster " + command + " failed: "
                + Files.readString(out));
    }

    /**
     * Leaves nothing behind: no inject chain, no paused or running node, no cgroup, no temp dir.
     * Each step runs even if an earlier one failed.
     */
    @Override
    public void close() throws IOException {
        for (String table : new String[] {"filter", "nat"}) {
            Shell.run("iptables", "-w", "-t", table, "-D", "OUTPUT", "-j", InjectChain.NAME);
            Shell.run("iptables", "-w", "-t", table, "-F", InjectChain.NAME);
            Shell.run("iptables", "-w", "-t", table, "-X", InjectChain.NAME);
        }
        for (LocalCluster.Node n : cluster.nodes()) {
            cluster.process(n.id()).ifPresent(p -> {
                try {
                    ProcessSignals.signalTree(p, "CONT");
                } catch (IOException e) {
                    // it exited meanwhile
                }
            });
        }
        try {
            sluiceCluster("stop");
        } catch (Throwable e) {
            for (LocalCluster.Node n : cluster.nodes()) {
                cluster.process(n.id()).ifPresent(p -> {
                    try {
                        ProcessSignals.signalTree(p, "KILL");
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception ignored) {
                        // best effort: the stop failure is reported below
                    }
                });
            }
            NodeCgroups.find().ifPresent(cg -> {
                for (LocalCluster.Node n : cluster.nodes()) {
                    cg.mount().resolve(NodeCgroups.nodePath(n.id())).toFile().delete();
                }
                cg.mount().resolve(NodeCgroups.PARENT).toFile().delete();
            });
            throw new IOException("bin/sluice cluster stop failed; nodes killed", e);
        } finally {
            try (Stream<Path> walk = Files.walk(home)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
