package io.sluice.chaos.target;

import io.sluice.chaos.fault.FakeClock;
import io.sluice.chaos.fault.TmpfsVolume;
import io.sluice.chaos.proxy.FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker process of the system under test, with its own ports (on the loopback, or at its own
 * address inside its network namespace: {@link NodePlacement}), its own data directory (optionally
 * on a size-limited tmpfs) and a {@link FaultProxy} in the root namespace in front of its client
 * listener.
 * Owned by the schedule runner's thread; the process-exit watcher only sets a volatile flag and
 * calls the crash listener, so {@link #alive()} may be read from any thread.
 */
public final class BrokerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerNode.class);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    /** Formatted log dirs by target name and node id; shared by every node of this JVM. */
    private static final Map<String, Path> FORMAT_TEMPLATES = new ConcurrentHashMap<>();

    private final TargetSpec spec;
    private final int nodeId;
    private final Path nodeDir;
    private final Path dataDir;
    private final Path logDir;
    private final Path configFile;
    private final Path outputFile;
    private final NodePlacement placement;
    private final String voters;
    private final FaultProxy proxy;
    private final Optional<TmpfsVolume> volume;
    private final String clusterId;
    private volatile Process process;
    private volatile boolean expectDown = true;
    private volatile IntConsumer crashListener = code -> { };
    private int starts;
    private Optional<FakeClock> clock = Optional.empty();

    /**
     * A single node on the loopback, its own voter: the one-node suite. See
     * {@link #BrokerNode(TargetSpec, NodePlacement, String, Path, String, long)}.
     */
    public BrokerNode(TargetSpec spec, int nodeId, Path nodeDir, String clusterId, long dataVolumeBytes)
            throws IOException {
        this(spec, NodePlacement.loopback(nodeId), null, nodeDir, clusterId, dataVolumeBytes);
    }

    /**
     * Lays out the node directory and config, binds the proxy and, if {@code dataVolumeBytes > 0}
     * and the OS lets us, mounts a tmpfs of that size as the data directory.
     *
     * @param voters the cluster's {@code controller.quorum.voters}; null for a node that is its own
     */
    public BrokerNode(TargetSpec spec, NodePlacement placement, String voters, Path nodeDir, String clusterId,
                      long dataVolumeBytes) throws IOException {
        this.spec = spec;
        this.placement = placement;
        this.nodeId = placement.nodeId();
        this.voters = voters != null ? voters : placement.voter();
        this.nodeDir = Files.createDirectories(nodeDir);
        this.dataDir = Files.createDirectories(nodeDir.resolve("data"));
        this.volume = dataVolumeBytes > 0 ? TmpfsVolume.tryMount(dataDir, dataVolumeBytes) : Optional.empty();
        this.logDir = Files.createDirectories(dataDir.resolve("logs"));
        this.configFile = nodeDir.resolve("server.properties");
        this.outputFile = nodeDir.resolve("broker.out");
        this.clusterId = clusterId;
        // The proxy stays in the root namespace (clients reach it on the loopback) and dials the node's address.
        this.proxy = new FaultProxy("n" + nodeId, new InetSocketAddress(placement.host(), placement.clientPort()));
        writeConfig();
    }

    private Map<String, String> placeholders() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("nodeId", Integer.toString(nodeId));
        v.put("host", placement.host());
        v.put("clientPort", Integer.toString(placement.clientPort()));
        v.put("internalPort", Integer.toString(placement.internalPort()));
        v.put("controllerPort", Integer.toString(placement.controllerPort()));
        v.put("voters", voters);
        v.put("advertisedPort", Integer.toString(proxy.port()));
        v.put("logDir", logDir.toString());
        v.put("nodeDir", nodeDir.toString());
        v.put("config", configFile.toString());
        v.put("clusterId", clusterId);
        return v;
    }

    private void writeConfig() throws IOException {
        Map<String, String> values = placeholders();
        try (Writer w = Files.newBufferedWriter(configFile)) {
            w.write("# written by the Sluice chaos harness for target " + spec.name() + "\n");
            for (Map.Entry<String, String> e : spec.properties().entrySet()) {
                w.write(e.getKey() + "=" + TargetSpec.expand(e.getValue(), values) + "\n");
            }
        }
        Files.writeString(nodeDir.resolve("log4j2.properties"), """
                status = warn
                appender.file.type = File
                appender.file.name = file
                appender.file.fileName = %s/broker.log
                appender.file.layout.type = PatternLayout
                appender.file.layout.pattern = [%%d] %%p %%m (%%c)%%n
                rootLogger.level = info
                rootLogger.appenderRef.file.ref = file
                """.formatted(nodeDir));
    }

    private List<String> expand(List<String> argv) {
        Map<String, String> values = placeholders();
        List<String> out = new ArrayList<>();
        for (String a : argv) {
            out.add(TargetSpec.expand(a, values));
        }
        return out;
    }

    /** Calls {@code listener} with the exit code whenever the process exits without being told to. */
    public void onCrash(IntConsumer listener) {
        this.crashListener = listener;
    }

    /**
     * Runs the target's format command, if it has one. The formatted log dir depends only on the
     * target and the node id (no ports, no paths), so it is formatted once per JVM into a template
     * and copied after that: a format is a JVM start, seconds on a busy machine.
     */
    public void format() throws IOException, InterruptedException {
        if (spec.formatCommand().isEmpty()) {
            return;
        }
        // The voters are part of the key: a node of a 3-node quorum is formatted apart from one of 5.
        String key = spec.name() + "/" + nodeId + "/" + voters;
        Path template = FORMAT_TEMPLATES.get(key);
        if (template != null && Files.isDirectory(template)) {
            copyTree(template, logDir);
            return;
        }
        Process p = new ProcessBuilder(expand(spec.formatCommand().get())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile())).start();
        if (!p.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("format of node " + nodeId + " did not finish in " + FORMAT_TIMEOUT);
        }
        if (p.exitValue() != 0) {
            throw new IOException("format of node " + nodeId + " exited " + p.exitValue() + "; see " + outputFile);
        }
        Path copy = Files.createTempDirectory("sluice-chaos-format-");
        copyTree(logDir, copy);
        if (FORMAT_TEMPLATES.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(new Thread(BrokerNode::deleteFormatTemplates, "chaos-format-cleanup"));
        }
        FORMAT_TEMPLATES.put(key, copy);
    }

    private static void deleteFormatTemplates() {
        for (Path template : FORMAT_TEMPLATES.values()) {
            try (var walk = Files.walk(template)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.warn("could not delete format template {}", template, e);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path src : walk.toList()) {
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Starts the broker process; returns at once (see {@link ServingProbe} for readiness). */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " already running as pid " + process.pid());
        }
        Files.writeString(outputFile, "---- start #" + (++starts) + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        List<String> argv = new ArrayList<>(placement.execPrefix());
        argv.addAll(expand(spec.startCommand()));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(nodeDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()));
        clock.ifPresent(c -> builder.environment().putAll(c.environment()));
        Process p = builder.start();
        process = p;
        expectDown = false;
        p.onExit().thenAccept(exited -> {
            if (!expectDown && exited == process) {
                LOG.warn("node {} (pid {}) exited by itself with {}", nodeId, exited.pid(), exited.exitValue());
                crashListener.accept(exited.exitValue());
            }
        });
    }

    /** SIGKILL to the broker and every process it started; waits until they are gone. */
    public synchronized void kill() {
        expectDown = true;
        signal("KILL");
        awaitExit(Duration.ofSeconds(10));
    }

    /**
     * SIGTERM, then SIGKILL after {@code grace}.
     *
     * @return true if it exited on SIGTERM within {@code grace} (or was not running)
     */
    public synchronized boolean stop(Duration grace) {
        expectDown = true;
        Process p = process;
        if (p == null || !p.isAlive()) {
            return true;
        }
        signal("TERM");
        if (!awaitExit(grace)) {
            signal("KILL");
            awaitExit(Duration.ofSeconds(10));
            return false;
        }
        return true;
    }

    /**
     * Runs every later start of this node under {@code clock} (libfaketime preloaded): a clock
     * fault can only move the wall clock of a process that was started so.
     */
    public synchronized void runUnder(FakeClock clock) {
        this.clock = Optional.of(clock);
    }

    /** The node's fakeable wall clock, if it runs under one. */
    public synchronized Optional<FakeClock> clock() {
        return clock;
    }

    public void pause() {
        signal("STOP");
    }

    public void resume() {
        signal("CONT");
    }

    public boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** Mark the node as going down on purpose from outside (e.g. a full disk the harness expects to kill it). */
    public void expectDown(boolean expected) {
        this.expectDown = expected;
    }

    private boolean awaitExit(Duration timeout) {
        Process p = process;
        if (p == null) {
            return true;
        }
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Signals the process tree (a start script may run the JVM as its child). */
    private void signal(String signal) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
        cmd.add(Long.toString(p.pid()));
        p.descendants().forEach(d -> cmd.add(Long.toString(d.pid())));
        try {
            Process k = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            k.getInputStream().readAllBytes();
            k.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("kill -" + signal + " " + p.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String bootstrap() {
        return "127.0.0.1:" + proxy.port();
    }

    public String name() {
        return "n" + nodeId;
    }

    public int nodeId() {
        return nodeId;
    }

    public FaultProxy proxy() {
        return proxy;
    }

    public NodePlacement placement() {
        return placement;
    }

    public Path logDir() {
        return logDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path nodeDir() {
        return nodeDir;
    }

    public Path outputFile() {
        return outputFile;
    }

    public Optional<TmpfsVolume> volume() {
        return volume;
    }

    public TargetSpec spec() {
        return spec;
    }

    /** Stops the process (SIGKILL: nothing to keep), the proxy, and unmounts the data volume. */
    @Override
    public void close() {
        kill();
        proxy.close();
        volume.ifPresent(TmpfsVolume::close);
    }
}
