package io.sluice.bench.broker.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka 4.4.0 as a user runs it from the binary distribution: {@code kafka-storage format
 * --standalone} then {@code kafka-server-start}, single node in KRaft combined mode, with
 * config/server.properties' settings and the start scripts' JVM flags. The jars come from Maven
 * Central through bench/kafka-broker/pom.xml (target/kafka-broker.classpath), not from this JVM.
 *
 * <p>Immutable, thread-safe.
 */
public final class KafkaTarget implements BrokerTarget {
    /** kafka-server-start.sh: KAFKA_HEAP_OPTS. */
    static final List<String> HEAP_OPTS = List.of("-Xmx1G", "-Xms1G");
    /** kafka-run-class.sh: KAFKA_JVM_PERFORMANCE_OPTS. */
    static final List<String> JVM_PERFORMANCE_OPTS = List.of("-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-XX:MaxInlineLevel=15",
            "-Djava.awt.headless=true");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Path classpathFile;
    private final Map<String, String> overrides;

    /**
     * @param name          the label in the report ("kafka"; a second Kafka for a self-check gets another)
     * @param classpathFile file holding the broker's classpath (colon separated), from the build
     */
    public KafkaTarget(String name, Path classpathFile) {
        this(name, classpathFile, Map.of());
    }

    /**
     * @param overrides server.properties settings over the sample config's (the harness's own
     *                  step settings, given to both brokers alike: the cleaner step's)
     */
    public KafkaTarget(String name, Path classpathFile, Map<String, String> overrides) {
        this.name = name;
        this.classpathFile = classpathFile;
        this.overrides = Map.copyOf(overrides);
    }

    /** The JVM flags the broker runs with: kafka-server-start.sh's heap and kafka-run-class.sh's GC flags. */
    public static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>(HEAP_OPTS);
        flags.addAll(JVM_PERFORMANCE_OPTS);
        return flags;
    }

    /** The file holding the broker's classpath. */
    Path classpathFile() {
        return classpathFile;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (!Files.isReadable(classpathFile)) {
            return Optional.of("no Kafka classpath at " + classpathFile
                    + " (build it: mvn -pl bench -am compile, or bin/sluice bench does it)");
        }
        return Optional.empty();
    }

    @Override
    public RunningBroker start(Path dir) throws BrokerStartException, InterruptedException {
        int port = RunningBroker.freePort();
        int controllerPort = RunningBroker.freePort();
        try {
            Files.createDirectories(dir.resolve("logs"));
            Path config = dir.resolve("server.properties");
            Files.writeString(config, serverProperties(dataDir(dir), port, controllerPort)
                    + ServerProperties.render(new TreeMap<>(overrides)));
            Path log4j = dir.resolve("log4j2.properties");
            Files.writeString(log4j, log4jConfig());
            String classpath = Files.readString(classpathFile).trim();

            // bin/kafka-storage.sh format --standalone -t <cluster id> -c config/server.properties
            List<String> format = java(classpath, log4j, dir, List.of("-Xmx256m"));
            format.addAll(List.of("kafka.tools.StorageTool", "format", "--standalone",
                    "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
            Path formatLog = dir.resolve("logs/format.out");
            Process formatting = new ProcessBuilder(format).redirectErrorStream(true)
                    .redirectOutput(formatLog.toFile()).start();
            if (!formatting.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || formatting.exitValue() != 0) {
                formatting.destroyForcibly();
                throw new BrokerStartException("kafka-storage format failed: " + Files.readString(formatLog));
            }

            // bin/kafka-server-start.sh config/server.properties
            List<String> start = java(classpath, log4j, dir, jvmFlags());
            start.addAll(List.of("kafka.Kafka", config.toString()));
            Path out = dir.resolve("logs/stdout.log");
            Process process = new ProcessBuilder(start).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            RunningBroker broker = new RunningBroker(name, process, "127.0.0.1:" + port, out);
            broker.awaitReady(READY_TIMEOUT);
            return broker;
        } catch (IOException e) {
            throw new BrokerStartException("cannot start " + name + " in " + dir + ": " + e, e);
        }
    }

    static List<String> java(String classpath, Path log4j, Path dir, List<String> jvmOpts) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOpts);
        command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
        command.add("-Dkafka.logs.dir=" + dir.resolve("logs"));
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    /** Kafka 4.4.0's config/server.properties, with this run's ports and data directory. */
    static String serverProperties(Path dataDir, int port, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "inter.broker.listener.name=PLAINTEXT",
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
                "num.network.threads=3",
                "num.io.threads=8",
                "socket.send.buffer.bytes=102400",
                "socket.receive.buffer.bytes=102400",
                "socket.request.max.bytes=104857600",
                "log.dirs=" + dataDir,
                "num.partitions=1",
                "num.recovery.threads.per.data.dir=1",
                "offsets.topic.replication.factor=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "log.retention.hours=168",
                "log.segment.bytes=1073741824",
                "log.retention.check.interval.ms=300000",
                "");
    }

    /** Kafka's default logging (config/log4j2.yaml) reduced to its server.log file appender, INFO. */
    static String log4jConfig() {
        return String.join("\n",
                "status = warn",
                "appender.server.type = RollingFile",
                "appender.server.name = server",
                "appender.server.fileName = ${sys:kafka.logs.dir}/server.log",
                "appender.server.filePattern = ${sys:kafka.logs.dir}/server.log.%d{yyyy-MM-dd-HH}",
                "appender.server.layout.type = PatternLayout",
                "appender.server.layout.pattern = [%d] %p %m (%c)%n",
                "appender.server.policies.type = Policies",
                "appender.server.policies.time.type = TimeBasedTriggeringPolicy",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.server.ref = server",
                "logger.request.name = kafka.request.logger",
                "logger.request.level = WARN",
                "logger.controller.name = org.apache.kafka.controller",
                "logger.controller.level = INFO",
                "");
    }
}
