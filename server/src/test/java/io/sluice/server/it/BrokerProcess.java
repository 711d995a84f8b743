package io.sluice.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Sluice broker as a child JVM ({@code io.sluice.server.Main start}), on free ports with a
 * temporary data directory, for tests that must go over the wire to a separate process. The
 * output goes to {@code broker.log} in the temp dir (printed when start fails). Close it to stop
 * the process and delete the directory. Not thread-safe.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 90_000;
    static final String COMBINED = "broker,controller";
    static final String BROKER_ONLY = "broker";
    static final String CONTROLLER_ONLY = "controller";

    private final Path dir;
    private final int clientPort;
    private final int quorumPort;
    private final int metricsPort;
    private final Map<String, String> extra;
    private final int nodeId;
    /** controller.quorum.voters of a cluster member, or null for a single node voting alone. */
    private final String voters;
    /** process.roles: broker,controller (combined), broker or controller. */
    private final String roles;
    private Process process;

    /** How a start that was expected to fail ended: the exit code and everything the process printed. */
    public record FailedStart(int exitCode, String output) { }

    private BrokerProcess(Path dir, int clientPort, int quorumPort, Map<String, String> extra) throws IOException {
        this(dir, 1, COMBINED, clientPort, quorumPort, null, extra);
    }

    private BrokerProcess(Path dir, int nodeId, String roles, int clientPort, int quorumPort, String voters,
                          Map<String, String> extra) throws IOException {
        this.dir = dir;
        this.roles = roles;
        this.nodeId = nodeId;
        this.clientPort = clientPort;
        this.quorumPort = quorumPort;
        this.metricsPort = freePort();
        this.voters = voters;
        this.extra = extra;
    }

    /**
     * A member of a cluster, written but not started ({@link #spawn()}, then {@link #awaitStarted()}):
     * the members of a quorum must start together, each waits for a majority.
     */
    static BrokerProcess clusterMember(int nodeId, String roles, int clientPort, int quorumPort, String voters,
                                       Map<String, String> extra) throws IOException {
        BrokerProcess b = new BrokerProcess(Files.createTempDirectory("sluice-node-" + nodeId + "-"), nodeId, roles,
                clientPort, quorumPort, voters, extra);
        b.writeConfig();
        return b;
    }

    public int nodeId() {
        return nodeId;
    }

    /** Whether this process serves clients (not a controller-only node). */
    public boolean isBroker() {
        return !roles.equals(CONTROLLER_ONLY);
    }

    /** SIGSTOP: the process freezes with its sockets open (a paused or partitioned broker). */
    public void sigstop() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: a stopped process runs on. */
    public void sigcont() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /**
     * Starts a broker whose start must fail (a refused config), waits for it to exit and returns
     * its exit code and output; throws if it starts serving instead. Extra values may use the
     * placeholders {@code {clientPort}}, {@code {quorumPort}} and {@code {dir}}.
     */
    public static FailedStart startExpectingFailure(Map<String, String> extra) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("sluice-broker-");
        BrokerProcess b = new BrokerProcess(dir, freePort(), freePort(), extra);
        try {
            b.writeConfig();
            b.process = b.processBuilder().start();
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
            while (!b.process.waitFor(50, TimeUnit.MILLISECONDS)) {
                if (Files.exists(b.logFile()) && b.log().contains("Sluice broker 1 started")) {
                    throw new IllegalStateException("broker started although its start should have been refused:\n" + b.log());
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("broker did not exit in " + START_TIMEOUT_MS + " ms:\n" + b.log());
                }
            }
            return new FailedStart(b.process.exitValue(), b.log());
        } finally {
            b.close();
        }
    }

    /**
     * Starts a broker from a whole server.properties text (e.g. Kafka's own sample), after replacing
     * the placeholders {@code {clientPort}}, {@code {quorumPort}} and {@code {dir}}.
     */
    public static BrokerProcess startWithConfigFile(String properties) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("sluice-broker-");
        BrokerProcess b = new BrokerProcess(dir, freePort(), freePort(), Map.of());
        try {
            Files.writeString(dir.resolve("server.properties"), b.fill(properties));
            b.launch();
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    private String fill(String value) {
        return value.replace("{clientPort}", Integer.toString(clientPort)).replace("{quorumPort}", Integer.toString(quorumPort))
                .replace("{dir}", dir.toString());
    }

    /** The port of the Prometheus endpoint ({@code sluice.metrics.listener}). */
    public int metricsPort() {
        return metricsPort;
    }

    public int quorumPort() {
        return quorumPort;
    }

    /** Starts a broker with the given extra server.properties settings. */
    public static BrokerProcess start(Map<String, String> extra) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("sluice-broker-");
        BrokerProcess b = new BrokerProcess(dir, freePort(), freePort(), extra);
        b.writeConfig();
        b.launch();
        return b;
    }

    public static BrokerProcess start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    public String bootstrap() {
        return "localhost:" + clientPort;
    }

    public int clientPort() {
        return clientPort;
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public Path logFile() {
        return dir.resolve("broker.log");
    }

    public String log() {
        try {
            return Files.readString(logFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The lines of a broker log that mean something went wrong: lines logged at ERROR and stack-trace
     * lines ({@code \tat ...}, {@code Caused by:}). A WARN that merely names an exception (Ratis logs
     * {@code StatusRuntimeException: CANCELLED: client cancelled} when its client closes) is not one.
     */
    public static List<String> errorsAndStackTraces(String log) {
        return log.lines()
                .filter(l -> l.contains(" ERROR [") || l.startsWith("\tat ") || l.startsWith("Caused by: ")
                        || l.startsWith("Exception in thread "))
                .toList();
    }

    private void writeConfig() throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("node.id=").append(nodeId).append('\n');
        sb.append("process.roles=").append(roles).append('\n');
        List<String> listeners = new ArrayList<>();
        if (!roles.equals(CONTROLLER_ONLY)) {
            listeners.add("PLAINTEXT://localhost:" + clientPort);
        }
        if (!roles.equals(BROKER_ONLY)) {
            listeners.add("CONTROLLER://localhost:" + quorumPort);
        }
        sb.append("listeners=").append(String.join(",", listeners)).append('\n');
        sb.append("controller.quorum.voters=").append(voters != null ? voters : "1@localhost:" + quorumPort).append('\n');
        sb.append("log.dirs=").append(dir.resolve("data/logs")).append('\n');
        sb.append("metadata.log.dir=").append(dir.resolve("data/metadata")).append('\n');
        sb.append("num.network.threads=2\n");
        sb.append("sluice.metrics.listener=http://localhost:").append(metricsPort).append('\n');
        extra.forEach((k, v) -> sb.append(k).append('=').append(fill(v)).append('\n'));
        Files.writeString(dir.resolve("server.properties"), sb.toString());
    }

    private void launch() throws IOException, InterruptedException {
        spawn();
        awaitStarted();
    }

    /** Starts the process without waiting for it to serve. */
    void spawn() throws IOException {
        process = processBuilder().start();
    }

    /** Waits until the process logged its start (once more than before). */
    void awaitStarted() throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(logFile()) && log().contains("] io.sluice.server." + startedLine())
                    && startedCount() > restarts) {
                restarts++;
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited with " + process.exitValue() + ":\n" + log());
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("broker did not start in " + START_TIMEOUT_MS + " ms:\n" + log());
    }

    private ProcessBuilder processBuilder() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : jvmFlags().trim().split("\\s+")) {
            if (!f.isEmpty()) {
                cmd.add(f);
            }
        }
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        // Every Netty buffer is tracked: a leaked request frame or response shows as "LEAK:" in the log.
        cmd.add("-Dio.netty.leakDetection.level=paranoid");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.sluice.server.Main");
        cmd.add("start");
        cmd.add(dir.resolve("server.properties").toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    }

    private int restarts;

    /** The flags every Sluice JVM needs, from config/jvm-flags.properties (the one source). */
    static String jvmFlags() throws IOException {
        String root = System.getProperty("sluice.root", Path.of(System.getProperty("user.dir")).getParent().toString());
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(Path.of(root, "config", "jvm-flags.properties"))) {
            p.load(r);
        }
        return p.getProperty("sluice.jvm.flags", "");
    }

    /** What the process logs once it serves: its logger and message. */
    private String startedLine() {
        return roles.equals(CONTROLLER_ONLY) ? "Controller - Sluice controller " + nodeId + " started"
                : "Broker - Sluice broker " + nodeId + " started";
    }

    private int startedCount() {
        String log = log();
        int n = 0;
        for (int i = log.indexOf(startedLine()); i >= 0; i = log.indexOf(startedLine(), i + 1)) {
            n++;
        }
        return n;
    }

    /** SIGTERM and wait: a clean shutdown. @return the exit code */
    public int stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return process == null ? 0 : process.exitValue();
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("broker did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush (the page cache keeps what was written to the mappings). */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts the broker again on the same ports and data. */
    public void restart() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
        launch();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException, IOException {
        try {
            if (process != null && process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
