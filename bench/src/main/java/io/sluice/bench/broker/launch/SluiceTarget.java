package io.sluice.bench.broker.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sluice started the way its README starts it: its sample {@code config/server.properties} (Kafka's
 * names) with this run's ports, node id and data directory, then {@code bin/sluice start
 * <server.properties>} from the repository root. The script decides Sluice's JVM flags and heap,
 * as it does for users; the Kafka side likewise gets Kafka's sample config and start-script flags.
 *
 * <p>Immutable, thread-safe.
 */
public final class SluiceTarget implements BrokerTarget {
    /** Generous: the first {@code bin/sluice start} on a fresh checkout builds the server. */
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

    private static final String METRICS_LISTENER = "sluice.metrics.listener";

    private final String name;
    private final Path home;
    private final Map<String, String> overrides;

    /**
     * @param home      the Sluice checkout holding bin/sluice
     * @param overrides extra server.properties settings; an empty value removes a default one
     */
    public SluiceTarget(Path home, Map<String, String> overrides) {
        this("sluice", home, overrides);
    }

    /** A Sluice broker reported under {@code name}: two differently configured ones may run side by side. */
    public SluiceTarget(String name, Path home, Map<String, String> overrides) {
        this.name = name;
        this.home = home.toAbsolutePath().normalize();
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> unavailableReason() {
        Path script = home.resolve("bin/sluice");
        if (!Files.isExecutable(script)) {
            return Optional.of("no executable " + script + " (the broker is not on this branch yet)");
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
            Path sample = home.resolve("config/server.properties");
            List<String> template = Files.isReadable(sample) ? Files.readAllLines(sample) : List.of();
            Files.writeString(config, serverProperties(template, dataDir(dir), port, controllerPort, overrides));
            Path out = dir.resolve("logs/stdout.log");
            Process process = new ProcessBuilder(List.of(home.resolve("bin/sluice").toString(), "start", config.toString()))
                    .directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            RunningBroker broker = new RunningBroker(name(), process, "127.0.0.1:" + port, out);
            broker.awaitReady(READY_TIMEOUT);
            return broker;
        } catch (IOException e) {
            throw new BrokerStartException("cannot start sluice in " + dir + ": " + e, e);
        }
    }

    /**
     * A single-node combined-mode config in Kafka's names (docs/architecture.md, "Operations"): the sample
     * config's settings (comments dropped), then this run's listeners and directories, then the
     * user's overrides.
     */
    static String serverProperties(List<String> template, Path dataDir, int port, int controllerPort,
                                   Map<String, String> overrides) {
        Map<String, String> props = ServerProperties.parse(template);
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("log.dirs", dataDir.toString());
        // The sample config's relative metadata dir would be shared by every run started from home.
        props.put("metadata.log.dir", dataDir.resolveSibling("metadata").toString());
        // The endpoint runs as for a user, on a free port: a fixed one would clash between nodes and runs.
        props.put(METRICS_LISTENER, "http://127.0.0.1:0");
        overrides.forEach((key, value) -> {
            if (value.isEmpty() && key.equals(METRICS_LISTENER)) {
                props.put(key, ""); // empty is this setting's "off", not "back to the default"
            } else if (value.isEmpty()) {
                props.remove(key);
            } else {
                props.put(key, value.replace("{port}", Integer.toString(port))
                        .replace("{controllerPort}", Integer.toString(controllerPort))
                        .replace("{dataDir}", dataDir.toString()));
            }
        });
        return ServerProperties.render(props);
    }
}
