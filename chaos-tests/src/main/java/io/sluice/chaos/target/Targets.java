package io.sluice.chaos.target;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The targets the suite knows: Apache Kafka from Maven Central jars (the stand-in and reference,
 * one node or a cluster), Sluice from a checkout ({@code bin/sluice start}, one node or a cluster),
 * or any broker described by a file. Stateless.
 */
public final class Targets {
    private Targets() { }

    /** Apache Kafka in KRaft combined mode, one JVM per node, started from a resolved classpath. */
    public static TargetSpec kafka(Path classpathFile) throws IOException {
        if (!Files.isRegularFile(classpathFile)) {
            throw new IllegalArgumentException("Kafka stand-in classpath file " + classpathFile + " is missing: "
                    + "build it with `mvn -B -q -pl chaos-tests generate-resources`");
        }
        String classpath = Files.readString(classpathFile).trim();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only and the serial collector: on a small shared machine the broker is up in half the time.
        List<String> jvm = List.of(java, "-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath);
        List<String> start = new ArrayList<>(jvm);
        start.addAll(List.of("-Dlog4j2.configurationFile=${nodeDir}/log4j2.properties", "kafka.Kafka", "${config}"));
        List<String> format = new ArrayList<>(jvm);
        // Every node of a run shares a cluster id; the storage tool writes meta.properties + bootstrap metadata.
        format.addAll(List.of("kafka.tools.StorageTool", "format", "--ignore-formatted", "-t", "${clusterId}",
                "-c", "${config}"));
        Map<String, String> p = combinedSingleNode();
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Kafka checkpoints its recovery points on this timer, not on each flush (see checkpointTracksForce).
        p.put("log.flush.offset.checkpoint.interval.ms", "1000");
        return new TargetSpec("kafka-4.4.0", start, Optional.of(format), p, false);
    }

    /**
     * What Kafka's own start scripts give a broker when nothing is set: {@code kafka-server-start.sh}'s
     * KAFKA_HEAP_OPTS and {@code kafka-run-class.sh}'s KAFKA_JVM_PERFORMANCE_OPTS defaults. The
     * cluster runs Kafka as an operator who only set ports, dirs and replication would.
     */
    static final List<String> KAFKA_SCRIPT_JVM_FLAGS = List.of("-Xmx1G", "-Xms1G", "-server", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true");

    /**
     * Apache Kafka as an N-node KRaft cluster: every node a broker and a voter (combined mode),
     * clients through each node's proxy, replication and the quorum on the nodes' own addresses
     * (in the harness's namespaces). Replication settings are the workload's, the same for every
     * target: RF 3, min.insync.replicas=2 ({@link #clusterProperties}).
     */
    public static TargetSpec kafkaCluster(Path classpathFile) throws IOException {
        if (!Files.isRegularFile(classpathFile)) {
            throw new IllegalArgumentException("Kafka classpath file " + classpathFile + " is missing: "
                    + "build it with `mvn -B -q -pl chaos-tests generate-resources`");
        }
        String classpath = Files.readString(classpathFile).trim();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = new ArrayList<>(List.of(java));
        jvm.addAll(KAFKA_SCRIPT_JVM_FLAGS);
        jvm.addAll(List.of("-cp", classpath));
        List<String> start = new ArrayList<>(jvm);
        start.addAll(List.of("-Dlog4j2.configurationFile=${nodeDir}/log4j2.properties", "kafka.Kafka", "${config}"));
        // The storage tool needs no network; it runs in the root namespace with the same config.
        List<String> format = new ArrayList<>(List.of(java, "-cp", classpath, "kafka.tools.StorageTool", "format",
                "--ignore-formatted", "-t", "${clusterId}", "-c", "${config}"));
        Map<String, String> p = clusterProperties();
        p.put("log.flush.offset.checkpoint.interval.ms", "1000");
        return new TargetSpec("kafka-4.4.0-cluster", start, Optional.of(format), p, false);
    }

    /**
     * Sluice as an N-node cluster: {@code bin/sluice start <server.properties>} per node, each in its
     * own namespace, with {@link #clusterProperties} (the same listeners, voters and replication as
     * Kafka's cluster) and the JVM flags bin/sluice gives a user who sets nothing. Sluice formats
     * nothing: a node creates its log and metadata dirs at first start.
     */
    public static TargetSpec sluiceCluster(Path home, int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a Sluice cluster has at least one node, not " + nodes);
        }
        Map<String, String> p = clusterProperties();
        p.put("log.flush.offset.checkpoint.interval.ms", "1000");
        // Nodes share 127.0.0.1 where namespaces cannot be made: the endpoint takes a free port.
        p.put("sluice.metrics.listener", "http://${host}:0");
        return new TargetSpec("sluice-cluster", sluiceStartCommand(home), Optional.empty(), p, false);
    }

    /**
     * Sluice from a checkout whose {@code bin/sluice start <properties>} runs a broker in the
     * foreground. The broker must be built already: the suite never runs Maven under a running
     * schedule ({@code SLUICE_NO_BUILD=1}).
     */
    public static TargetSpec sluice(Path home) {
        List<String> start = sluiceStartCommand(home);
        Map<String, String> p = combinedSingleNode();
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.flush.offset.checkpoint.interval.ms", "1000");
        p.put("sluice.metrics.listener", "http://127.0.0.1:0");
        // Sluice's LogManager checkpoints recovery points on log.flush.offset.checkpoint.interval.ms, like Kafka.
        return new TargetSpec("sluice", start, Optional.empty(), p, false);
    }

    /** {@code bin/sluice start ${config}} of a checkout whose broker is built; refuses, saying how, if it is not. */
    private static List<String> sluiceStartCommand(Path home) {
        Path script = home.resolve("bin").resolve("sluice");
        if (!Files.isExecutable(script)) {
            throw new IllegalArgumentException(script + " is missing or not executable: the Sluice target needs a "
                    + "checkout with the server module (or use --target-file)");
        }
        Path serverTarget = home.resolve("server").resolve("target");
        try (var jars = Files.list(serverTarget)) {
            if (jars.noneMatch(p -> p.getFileName().toString().matches("sluice-server-.*\\.jar"))) {
                throw new IllegalArgumentException("no server jar in " + serverTarget);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("build the broker first: (cd " + home
                    + " && mvn -B -q -DskipTests -pl server -am package) [" + e.getMessage() + "]");
        }
        return List.of("env", "SLUICE_NO_BUILD=1", script.toString(), "start", "${config}");
    }

    /**
     * A target described by a properties file: {@code name}, {@code start} (argv, space separated),
     * optional {@code format}, {@code checkpointTracksForce}, and {@code property.<key>=<template>}
     * lines for server.properties. For brokers the suite has no built-in recipe for.
     */
    public static TargetSpec fromFile(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        }
        String start = props.getProperty("start");
        if (start == null || start.isBlank()) {
            throw new IllegalArgumentException(file + ": 'start' (the broker command line) is required");
        }
        Map<String, String> p = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().filter(k -> k.startsWith("property."))
                .forEach(k -> p.put(k.substring("property.".length()), props.getProperty(k)));
        Optional<List<String>> format = Optional.ofNullable(props.getProperty("format"))
                .map(s -> Arrays.asList(s.trim().split("\\s+")));
        return new TargetSpec(props.getProperty("name", file.getFileName().toString()),
                Arrays.asList(start.trim().split("\\s+")), format, p,
                Boolean.parseBoolean(props.getProperty("checkpointTracksForce", "false")));
    }

    /**
     * The server.properties of a cluster node, in Kafka's names (Sluice reads the same ones): a
     * combined broker+controller, every node a voter; clients on CLIENT (advertised as the node's
     * proxy), replication on INTERNAL and the quorum on CONTROLLER at the node's own address. RF 3
     * and min.insync.replicas=2 are what the workload needs (acks=all must survive one node).
     */
    static Map<String, String> clusterProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("node.id", "${nodeId}");
        p.put("process.roles", "broker,controller");
        p.put("listeners", "CLIENT://${host}:${clientPort},INTERNAL://${host}:${internalPort},"
                + "CONTROLLER://${host}:${controllerPort}");
        p.put("advertised.listeners", "CLIENT://127.0.0.1:${advertisedPort},INTERNAL://${host}:${internalPort}");
        p.put("inter.broker.listener.name", "INTERNAL");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.quorum.voters", "${voters}");
        p.put("log.dirs", "${logDir}");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("default.replication.factor", "3");
        p.put("min.insync.replicas", "2");
        p.put("offsets.topic.replication.factor", "3");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "3");
        p.put("transaction.state.log.min.isr", "2");
        p.put("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    /** The server.properties both targets share: one combined-mode node, Kafka's names, placeholders filled per node. */
    private static Map<String, String> combinedSingleNode() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("node.id", "${nodeId}");
        p.put("process.roles", "broker,controller");
        p.put("listeners", "PLAINTEXT://127.0.0.1:${clientPort},CONTROLLER://127.0.0.1:${controllerPort}");
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:${advertisedPort}");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.quorum.voters", "${nodeId}@127.0.0.1:${controllerPort}");
        p.put("log.dirs", "${logDir}");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        return p;
    }
}
