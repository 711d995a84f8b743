package io.sluice.bench.broker.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sluice as an N-node cluster, started the way its README starts the example cluster: per node,
 * {@code config/cluster/node-1.properties} (the shipped example, Kafka's names) with the node's id,
 * ports, directories and voter set, then {@code bin/sluice start <node.properties>}. The script
 * chooses the JVM flags and heap, as it does for users.
 *
 * <p>The first node's start script builds the broker if the checkout changed; the other nodes, and
 * every restart after a kill, start with {@code SLUICE_NO_BUILD=1} once that first JVM runs, so no
 * two Maven builds race and no build runs in a measured window. Immutable, thread-safe.
 */
public final class SluiceClusterTarget implements ClusterTarget {
    /** Generous: the first start on a fresh checkout builds the server. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    static final String TEMPLATE = "config/cluster/node-1.properties";

    private final Path home;
    private final Map<String, String> overrides;

    /**
     * @param home      the Sluice checkout holding bin/sluice and config/cluster
     * @param overrides extra settings for every node; an empty value removes one
     */
    public SluiceClusterTarget(Path home, Map<String, String> overrides) {
        this.home = home.toAbsolutePath().normalize();
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public String name() {
        return "sluice";
    }

    @Override
    public Optional<String> unavailableReason() {
        if (!Files.isExecutable(home.resolve("bin/sluice"))) {
            return Optional.of("no executable " + home.resolve("bin/sluice"));
        }
        if (!Files.isReadable(home.resolve(TEMPLATE))) {
            return Optional.of("no " + home.resolve(TEMPLATE) + " (the example cluster config)");
        }
        return Optional.empty();
    }

    @Override
    public RunningCluster start(Path dir, ClusterLayout layout) throws BrokerStartException, InterruptedException {
        Map<Integer, NodeLauncher> launchers = new LinkedHashMap<>();
        Map<Integer, Path> logDirs = new LinkedHashMap<>();
        RunningCluster cluster = null;
        try {
            List<String> template = Files.readAllLines(home.resolve(TEMPLATE));
            for (int nodeId : layout.nodeIds()) {
                Path nodeDir = dir.resolve("node-" + nodeId);
                Files.createDirectories(nodeDir.resolve("logs"));
                Path config = nodeDir.resolve("server.properties");
                Files.writeString(config, nodeProperties(template, nodeDir, layout, nodeId, overrides));
                Path out = nodeDir.resolve("logs/stdout.log");
                String bootstrap = ClusterLayout.HOST + ":" + layout.clientPort(nodeId);
                String nodeName = name() + "-" + nodeId;
                launchers.put(nodeId, () -> new RunningBroker(nodeName, startScript(config, out, true), bootstrap, out));
                logDirs.put(nodeId, nodeDir.resolve("logs"));
            }
            cluster = new RunningCluster(name(), layout, launchers, logDirs);
            // Node 1's script may build first (Maven), then execs the JVM; the others wait for that.
            Path firstConfig = dir.resolve("node-1/server.properties");
            Path firstOut = dir.resolve("node-1/logs/stdout.log");
            cluster.launch(1, () -> new RunningBroker(name() + "-1", startScript(firstConfig, firstOut, false),
                    ClusterLayout.HOST + ":" + layout.clientPort(1), firstOut));
            awaitJvm(cluster.node(1));
            for (int nodeId : layout.nodeIds().subList(1, layout.nodes())) {
                cluster.launch(nodeId);
            }
            cluster.awaitReady(READY_TIMEOUT);
            return cluster;
        } catch (IOException | BrokerStartException | RuntimeException e) {
            String tail = cluster == null ? "" : "\n" + cluster.logTail(15);
            if (cluster != null) {
                cluster.stop();
            }
            if (e instanceof BrokerStartException start) {
                throw new BrokerStartException(start.getMessage() + tail, e);
            }
            throw new BrokerStartException("cannot start sluice cluster in " + dir + ": " + e + tail, e);
        }
    }

    private Process startScript(Path config, Path out, boolean noBuild) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of(home.resolve("bin/sluice").toString(), "start", config.toString()))
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        if (noBuild) {
            builder.environment().put("SLUICE_NO_BUILD", "1");
        }
        return builder.start();
    }

    /** Waits until the start script has exec'd the JVM (after building, if it had to). */
    private static void awaitJvm(RunningBroker node) throws BrokerStartException, InterruptedException {
        long deadline = System.nanoTime() + BUILD_TIMEOUT.toNanos();
        while (!node.isJvm()) {
            if (!node.isAlive()) {
                throw new BrokerStartException(node.name() + " exited before its JVM started:\n" + node.logTail(30));
            }
            if (System.nanoTime() > deadline) {
                node.stop();
                throw new BrokerStartException(node.name() + ": no JVM after " + BUILD_TIMEOUT.toMinutes() + " min");
            }
            Thread.sleep(100);
        }
    }

    /**
     * The example cluster's node config for node {@code nodeId} of {@code layout}: the template's
     * settings (comments dropped), this node's id, listeners, voters and directories, then the
     * user's overrides.
     */
    static String nodeProperties(List<String> template, Path nodeDir, ClusterLayout layout, int nodeId,
                                 Map<String, String> overrides) {
        Map<String, String> props = ServerProperties.parse(template);
        props.put("node.id", Integer.toString(nodeId));
        props.put("process.roles", "broker,controller");
        props.put("listeners", layout.listeners(nodeId));
        props.put("advertised.listeners", layout.advertisedListeners(nodeId));
        props.put("controller.listener.names", "CONTROLLER");
        props.put("controller.quorum.voters", layout.voters());
        props.put("log.dirs", nodeDir.resolve("data").toString());
        props.put("metadata.log.dir", nodeDir.resolve("metadata").toString());
        // The endpoint runs as for a user, on a free port: a fixed one would clash between nodes and runs.
        props.put("sluice.metrics.listener", "http://127.0.0.1:0");
        overrides.forEach((key, value) -> {
            if (value.isEmpty()) {
                props.remove(key);
            } else {
                props.put(key, value);
            }
        });
        return ServerProperties.render(props);
    }
}
