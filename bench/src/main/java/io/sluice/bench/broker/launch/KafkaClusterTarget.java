package io.sluice.bench.broker.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka 4.4.0 as an N-node KRaft cluster in combined mode, as an operator would run it from
 * the binary distribution: per node, Kafka's sample config/server.properties with the node's id,
 * ports, data directory and the static voter set ({@code controller.quorum.voters}), formatted with
 * {@code kafka-storage format -t <one cluster id>}, started as {@code kafka-server-start} with the
 * start scripts' JVM flags ({@link KafkaTarget#jvmFlags()}). The sample's single-node overrides of
 * the internal topics' replication (1) are dropped, so Kafka's own defaults apply, as on any
 * multi-node cluster; nothing else is changed.
 *
 * <p>Immutable, thread-safe.
 */
public final class KafkaClusterTarget implements ClusterTarget {
    /** Three broker JVMs start on two shared cores: slower than one. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(90);
    /** The sample config's single-node settings for the internal topics; a cluster runs on Kafka's defaults. */
    static final List<String> SINGLE_NODE_ONLY = List.of("controller.quorum.bootstrap.servers",
            "offsets.topic.replication.factor", "share.coordinator.state.topic.replication.factor",
            "share.coordinator.state.topic.min.isr", "transaction.state.log.replication.factor",
            "transaction.state.log.min.isr");

    private final KafkaTarget single;

    public KafkaClusterTarget(String name, Path classpathFile) {
        this.single = new KafkaTarget(name, classpathFile);
    }

    @Override
    public String name() {
        return single.name();
    }

    @Override
    public Optional<String> unavailableReason() {
        return single.unavailableReason();
    }

    @Override
    public RunningCluster start(Path dir, ClusterLayout layout) throws BrokerStartException, InterruptedException {
        String clusterId = Uuid.randomUuid().toString();
        Map<Integer, NodeLauncher> launchers = new LinkedHashMap<>();
        Map<Integer, Path> logDirs = new LinkedHashMap<>();
        RunningCluster cluster = null;
        try {
            String classpath = Files.readString(single.classpathFile()).trim();
            List<Process> formats = new ArrayList<>();
            for (int nodeId : layout.nodeIds()) {
                Path nodeDir = dir.resolve("node-" + nodeId);
                Files.createDirectories(nodeDir.resolve("logs"));
                Path config = nodeDir.resolve("server.properties");
                Files.writeString(config, nodeProperties(nodeDir.resolve("data"), layout, nodeId));
                Path log4j = nodeDir.resolve("log4j2.properties");
                Files.writeString(log4j, KafkaTarget.log4jConfig());
                // bin/kafka-storage.sh format -t <cluster id> -c server.properties: the same id on every node.
                List<String> format = KafkaTarget.java(classpath, log4j, nodeDir, List.of("-Xmx256m"));
                format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()));
                formats.add(new ProcessBuilder(format).redirectErrorStream(true)
                        .redirectOutput(nodeDir.resolve("logs/format.out").toFile()).start());
                // bin/kafka-server-start.sh server.properties
                List<String> start = KafkaTarget.java(classpath, log4j, nodeDir, KafkaTarget.jvmFlags());
                start.addAll(List.of("kafka.Kafka", config.toString()));
                Path out = nodeDir.resolve("logs/stdout.log");
                String bootstrap = ClusterLayout.HOST + ":" + layout.clientPort(nodeId);
                String nodeName = name() + "-" + nodeId;
                launchers.put(nodeId, () -> new RunningBroker(nodeName, new ProcessBuilder(start).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start(), bootstrap, out));
                logDirs.put(nodeId, nodeDir.resolve("logs"));
            }
            for (int i = 0; i < formats.size(); i++) {
                Process formatting = formats.get(i);
                if (!formatting.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || formatting.exitValue() != 0) {
                    formats.forEach(Process::destroyForcibly);
                    throw new BrokerStartException("kafka-storage format of node " + (i + 1) + " failed: "
                            + Files.readString(dir.resolve("node-" + (i + 1)).resolve("logs/format.out")));
                }
            }
            cluster = new RunningCluster(name(), layout, launchers, logDirs);
            for (int nodeId : layout.nodeIds()) {
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
            throw new BrokerStartException("cannot start " + name() + " cluster in " + dir + ": " + e + tail, e);
        }
    }

    /** Kafka's sample config for node {@code nodeId} of {@code layout}, internal topics on Kafka's defaults. */
    static String nodeProperties(Path dataDir, ClusterLayout layout, int nodeId) {
        Map<String, String> props = ServerProperties.parse(KafkaTarget.serverProperties(dataDir,
                layout.clientPort(nodeId), layout.controllerPort(nodeId)).lines().toList());
        SINGLE_NODE_ONLY.forEach(props::remove);
        props.put("node.id", Integer.toString(nodeId));
        props.put("controller.quorum.voters", layout.voters());
        props.put("listeners", layout.listeners(nodeId));
        props.put("advertised.listeners", layout.advertisedListeners(nodeId));
        return ServerProperties.render(props);
    }
}
