package io.sluice.bench.broker.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * The processes of one started cluster, one {@link RunningBroker} per node id: where clients reach
 * them, which pids to observe, and the faults the harness injects (kill -9 of a node, then its
 * restart on the same directory). A shutdown hook kills every node if the harness JVM exits
 * before {@link #stop}.
 *
 * <p>Owned by the harness thread that started it; not thread-safe.
 */
public final class RunningCluster implements AutoCloseable {
    private static final Duration ADMIN_CALL_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final ClusterLayout layout;
    private final Map<Integer, NodeLauncher> launchers;
    private final Map<Integer, Path> logDirs;
    /** Node id → its current process; read by the shutdown hook's thread too. */
    private final Map<Integer, RunningBroker> nodes = new ConcurrentSkipListMap<>();
    private final Thread shutdownHook;
    private boolean stopped;

    RunningCluster(String name, ClusterLayout layout, Map<Integer, NodeLauncher> launchers, Map<Integer, Path> logDirs) {
        this.name = name;
        this.layout = layout;
        this.launchers = Map.copyOf(launchers);
        this.logDirs = Map.copyOf(logDirs);
        this.shutdownHook = new Thread(this::destroyAll, "bench-cluster-cleanup-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public String name() {
        return name;
    }

    public ClusterLayout layout() {
        return layout;
    }

    /** Every node's client listener. */
    public String bootstrap() {
        return layout.bootstrap();
    }

    /** Node id → directory of its logs (kept in the report directory after the run). */
    public Map<Integer, Path> logDirs() {
        return logDirs;
    }

    /** Starts node {@code nodeId}'s process without waiting for it (the target's first start). */
    void launch(int nodeId) throws IOException {
        launch(nodeId, launchers.get(nodeId));
    }

    /** Starts node {@code nodeId} with a launcher of its own (a first start that differs from restarts). */
    void launch(int nodeId, NodeLauncher launcher) throws IOException {
        nodes.put(nodeId, launcher.launch());
    }

    /** The node's current process, or null before its first launch. */
    RunningBroker node(int nodeId) {
        return nodes.get(nodeId);
    }

    /**
     * Waits until every node answers on its listener and the cluster lists all of them as brokers
     * (registered, not fenced): before that an RF-N topic cannot be created.
     */
    void awaitReady(Duration timeout) throws BrokerStartException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (RunningBroker node : nodes.values()) {
            node.awaitReady(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        awaitBrokers(layout.nodes(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    /** Waits until DescribeCluster lists {@code count} brokers. */
    public void awaitBrokers(int count, Duration timeout) throws BrokerStartException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        try (Admin admin = Admin.create(adminProps())) {
            while (System.nanoTime() < deadline) {
                try {
                    int listed = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) ADMIN_CALL_TIMEOUT.toMillis()))
                            .nodes().get(ADMIN_CALL_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS).size();
                    if (listed >= count) {
                        return;
                    }
                    last = listed + " brokers listed";
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    last = e.toString();
                }
                Thread.sleep(250);
            }
        }
        throw new BrokerStartException(name + ": " + count + " brokers not listed after " + timeout.toSeconds()
                + " s (" + last + ")");
    }

    /** JVM pids of the nodes running now, in node id order. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        nodes.values().stream().filter(RunningBroker::isAlive).forEach(node -> pids.add(node.pid()));
        return pids;
    }

    public boolean allAlive() {
        return nodes.size() == layout.nodes() && nodes.values().stream().allMatch(RunningBroker::isAlive);
    }

    /** The last lines of every node's output, for an error message. */
    public String logTail(int lines) {
        StringBuilder tail = new StringBuilder();
        nodes.forEach((id, node) -> tail.append("node ").append(id).append(node.isAlive() ? "" : " (exited)").append(":\n")
                .append(node.logTail(lines)).append('\n'));
        return tail.toString();
    }

    /** kill -9 of node {@code nodeId}'s JVM; returns once the process is gone. */
    public void kill(int nodeId) throws InterruptedException {
        RunningBroker node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalStateException("no node " + nodeId + " in " + name + " (nodes " + nodes.keySet() + ")");
        }
        node.kill();
    }

    /** Starts node {@code nodeId} again on its directory (after {@link #kill}) and waits until it answers. */
    public void restart(int nodeId, Duration timeout) throws BrokerStartException, InterruptedException {
        RunningBroker old = nodes.get(nodeId);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " of " + name + " still runs (pid " + old.pid() + ")");
        }
        try {
            launch(nodeId);
        } catch (IOException e) {
            throw new BrokerStartException("cannot restart node " + nodeId + " of " + name + ": " + e, e);
        }
        nodes.get(nodeId).awaitReady(timeout);
    }

    /** SIGTERM to every node at once (none waits for another's controlled shutdown), then waits for each. */
    public void stop() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        nodes.values().forEach(RunningBroker::terminate);
        for (RunningBroker node : nodes.values()) {
            node.stop();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs anyway and finds nothing left.
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void destroyAll() {
        nodes.values().forEach(RunningBroker::destroyForcibly);
    }

    private Properties adminProps() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_CALL_TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_CALL_TIMEOUT.toMillis());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-bench-probe");
        return props;
    }
}
