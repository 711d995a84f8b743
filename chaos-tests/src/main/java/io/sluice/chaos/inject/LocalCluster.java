package io.sluice.chaos.inject;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local cluster {@code bin/sluice cluster start} runs from a checkout (its home): the nodes of
 * {@code config/cluster/node-N.properties}, their ports, and the pid each start wrote to
 * {@code data/node-N/broker.pid}. Read from the files each time, so it sees restarts made by
 * anyone; immutable otherwise.
 */
public final class LocalCluster {
    /** The longest {@code bin/sluice cluster start} may take: its own wait (120 s) and a margin. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    private static final Pattern PORT = Pattern.compile(":(\\d+)\\s*$");

    /** One node: its id and every port it listens on, in the order of {@code listeners} (clients use the first). */
    public record Node(int id, List<Integer> ports) { }

    private final Path home;
    private final List<Node> nodes;

    private LocalCluster(Path home, List<Node> nodes) {
        this.home = home;
        this.nodes = nodes;
    }

    /** Reads the node configs under {@code home}; throws naming what is missing. */
    public static LocalCluster at(Path home) throws IOException {
        Path dir = home.resolve("config/cluster");
        if (!Files.isDirectory(dir)) {
            throw new IOException("no cluster configs in " + dir + " (is --home a Sluice checkout?)");
        }
        List<Node> nodes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("node-\\d+\\.properties")).sorted()
                    .toList()) {
                nodes.add(node(f));
            }
        }
        if (nodes.isEmpty()) {
            throw new IOException("no node-N.properties in " + dir);
        }
        return new LocalCluster(home, List.copyOf(nodes));
    }

    private static Node node(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String id = p.getProperty("node.id");
        String listeners = p.getProperty("listeners");
        if (id == null || listeners == null) {
            throw new IOException(file + " names no node.id or no listeners");
        }
        // In listener order: the first is the one clients use (PLAINTEXT), as in bootstrap().
        LinkedHashSet<Integer> ports = new LinkedHashSet<>();
        for (String listener : listeners.split(",")) {
            Matcher m = PORT.matcher(listener);
            if (m.find()) {
                ports.add(Integer.parseInt(m.group(1)));
            }
        }
        return new Node(Integer.parseInt(id.trim()), List.copyOf(ports));
    }

    public Path home() {
        return home;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(int id) {
        return nodes.stream().filter(n -> n.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the cluster has no node " + id + " (nodes: "
                        + nodes.stream().map(Node::id).toList() + ")"));
    }

    /** Each node's first listener, on localhost: what a client of this cluster bootstraps from. */
    public String bootstrap() {
        return String.join(",", nodes.stream().map(n -> "localhost:" + n.ports().get(0)).toList());
    }

    public Path pidFile(int id) {
        return home.resolve("data/node-" + id + "/broker.pid");
    }

    /** The running process of node {@code id}, if its pid file names a live one. */
    public Optional<ProcessHandle> process(int id) {
        Path f = pidFile(id);
        try {
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(f).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Like {@link #process} but throws, saying how to start the cluster, when the node does not run. */
    public ProcessHandle runningProcess(int id) {
        node(id);
        return process(id).orElseThrow(() -> new IllegalStateException("node " + id + " does not run (no live pid in "
                + pidFile(id) + "); start the cluster with bin/sluice cluster start"));
    }

    /** The command that starts the nodes that do not run, as the user would type it. */
    public String startCommand() {
        return home.resolve("bin/sluice") + " cluster start";
    }

    /**
     * Runs {@code bin/sluice cluster start}, which starts only the nodes that do not run (each in its
     * cgroup, as before) and returns once every node logged that it started.
     *
     * @return what it printed
     * @throws IOException naming its exit code and output if it failed
     */
    public String startMissingNodes() throws IOException, InterruptedException {
        Path out = Files.createTempFile("sluice-inject-start-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/sluice").toString(), "cluster", "start")
                    .directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
            // The broker the cluster runs is already built; a rebuild here would hold the restart for minutes.
            pb.environment().put("SLUICE_NO_BUILD", "1");
            Process p = pb.start();
            if (!p.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(startCommand() + " did not return within " + START_TIMEOUT.toSeconds() + " s");
            }
            String output = Files.readString(out).strip();
            if (p.exitValue() != 0) {
                throw new IOException(startCommand() + " exited " + p.exitValue() + ": " + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
