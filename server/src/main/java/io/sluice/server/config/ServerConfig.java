package io.sluice.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The parsed, validated server.properties. Unknown names, invalid values and settings Sluice
 * cannot honour (security, a multi-node cluster; see {@link SettingSupport}) throw
 * {@link ConfigException} naming the setting, so a typo or a weaker guarantee stops the start
 * instead of being silently ignored. Immutable and thread-safe.
 */
public final class ServerConfig {

    /** One listener: NAME://host:port. An empty host binds all interfaces. */
    public record Listener(String name, String host, int port) {
        @Override
        public String toString() {
            return name + "://" + host + ":" + port;
        }
    }

    private final Map<String, Object> values;
    private final Map<String, String> originals;
    private final List<String> noEffectSettings;

    private ServerConfig(Map<String, Object> values, Map<String, String> originals, List<String> noEffectSettings) {
        this.values = values;
        this.originals = originals;
        this.noEffectSettings = noEffectSettings;
    }

    public static ServerConfig load(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        }
        Map<String, String> raw = new HashMap<>();
        for (String name : props.stringPropertyNames()) {
            raw.put(name, props.getProperty(name));
        }
        return parse(raw);
    }

    public static ServerConfig parse(Map<String, String> raw) {
        Map<String, ConfigKey> keys = ServerConfigDef.keys();
        List<String> unknown = new ArrayList<>();
        List<String> noEffect = new ArrayList<>();
        List<String> security = new ArrayList<>();
        for (String name : raw.keySet()) {
            switch (SettingSupport.classify(name)) {
                case UNKNOWN -> unknown.add(name);
                case SECURITY -> security.add(name);
                case NO_EFFECT -> noEffect.add(name);
                case KNOWN -> {
                    if (ServerConfigDef.NO_EFFECT_YET.contains(name)) {
                        noEffect.add(name);
                    }
                }
            }
        }
        if (!security.isEmpty()) {
            security.sort(null);
            throw new ConfigException(SettingSupport.securityRefusal(security.get(0))
                    + (security.size() > 1 ? " (also: " + String.join(", ", security.subList(1, security.size())) + ")" : ""));
        }
        if (!unknown.isEmpty()) {
            unknown.sort(null);
            for (String name : unknown) {
                if (DynamicBrokerConfigs.DYNAMIC_ONLY.containsKey(name)) {
                    throw new ConfigException(name + " can only be set dynamically, as in Kafka: kafka-configs --alter "
                            + "--entity-type brokers (--entity-name <node.id> or --entity-default) --add-config " + name + "=<bytes/s>");
                }
            }
            throw new ConfigException("Unknown configuration " + String.join(", ", unknown)
                    + " (neither Sluice nor Kafka 4.4 knows it; see docs/configuration.md for the settings Sluice knows)");
        }
        noEffect.sort(null);
        Map<String, Object> values = new HashMap<>();
        for (ConfigKey key : keys.values()) {
            String given = raw.get(key.name());
            Object value;
            if (given != null) {
                value = key.parse(given);
            } else if (key.defaultValue() == ConfigKey.REQUIRED) {
                throw new ConfigException("Missing required configuration " + key.name() + ": " + key.doc());
            } else {
                value = key.defaultValue() instanceof String s && key.type() == ConfigKey.Type.LIST
                        ? key.parse(s) : key.defaultValue();
            }
            if (value != null) {
                String problem = key.validator().check(value);
                if (problem != null) {
                    throw new ConfigException("Invalid value " + given + " for configuration " + key.name() + ": " + problem);
                }
            }
            values.put(key.name(), value);
        }
        ServerConfig config = new ServerConfig(values, Map.copyOf(raw), List.copyOf(noEffect));
        config.validateCrossSettings();
        return config;
    }

    private void validateCrossSettings() {
        ProcessRoles.check(this);
        listeners();
        advertisedListeners();
        ListenerSecurity.requirePlaintext(this);
        metricsListener();
        if (isBroker()) {
            checkInterBrokerListener();
        }
        if (logDirs().isEmpty()) {
            throw new ConfigException("Invalid value for configuration " + ServerConfigDef.LOG_DIRS + ": no directory");
        }
        checkConsumerGroupBounds();
    }

    /** Kafka refuses to start when a KIP-848 timeout lies outside its min/max, or the interval is not below the session. */
    private void checkConsumerGroupBounds() {
        int session = within(ServerConfigDef.GROUP_CONSUMER_SESSION_TIMEOUT_MS,
                ServerConfigDef.GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS, ServerConfigDef.GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS);
        int heartbeat = within(ServerConfigDef.GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS,
                ServerConfigDef.GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS,
                ServerConfigDef.GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS);
        if (heartbeat >= session) {
            throw new ConfigException(ServerConfigDef.GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS + " (" + heartbeat
                    + ") must be less than " + ServerConfigDef.GROUP_CONSUMER_SESSION_TIMEOUT_MS + " (" + session + ")");
        }
    }

    private int within(String name, String minName, String maxName) {
        int v = getInt(name);
        int min = getInt(minName);
        int max = getInt(maxName);
        if (min > max) {
            throw new ConfigException(minName + " (" + min + ") must not exceed " + maxName + " (" + max + ")");
        }
        if (v < min || v > max) {
            throw new ConfigException(name + " (" + v + ") must be between " + minName + " (" + min + ") and "
                    + maxName + " (" + max + ")");
        }
        return v;
    }

    /** The metrics endpoint ({@code sluice.metrics.listener}), or empty when it is turned off. */
    public Optional<MetricsListener> metricsListener() {
        return MetricsListener.parse(getString(ServerConfigDef.METRICS_LISTENER));
    }

    public Object get(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException("not a setting: " + name);
        }
        return values.get(name);
    }

    public int getInt(String name) {
        return (Integer) get(name);
    }

    public long getLong(String name) {
        return (Long) get(name);
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    public String getString(String name) {
        return (String) get(name);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String name) {
        Object v = get(name);
        return v == null ? List.of() : (List<String>) v;
    }

    /** Whether the file set this setting (as opposed to a default). */
    public boolean isSet(String name) {
        return originals.containsKey(name);
    }

    public Map<String, String> originals() {
        return originals;
    }

    /**
     * The settings the file gave that Sluice accepts but does not act on yet (Kafka 4.4 settings it
     * does not implement, and those {@link ServerConfigDef#NO_EFFECT_YET}), sorted: one warning each at start.
     */
    public List<String> noEffectSettings() {
        return noEffectSettings;
    }

    /** {@code process.roles} has {@code broker}: this process serves clients and holds partition replicas. */
    public boolean isBroker() {
        return list(ServerConfigDef.PROCESS_ROLES).contains("broker");
    }

    /** {@code process.roles} has {@code controller}: this process is a voter of the metadata quorum. */
    public boolean isController() {
        return list(ServerConfigDef.PROCESS_ROLES).contains("controller");
    }

    public int nodeId() {
        return getInt(ServerConfigDef.NODE_ID);
    }

    public List<Path> logDirs() {
        List<String> dirs = list(ServerConfigDef.LOG_DIRS);
        if (dirs.isEmpty()) {
            dirs = List.of(getString(ServerConfigDef.LOG_DIR));
        }
        return dirs.stream().map(Path::of).toList();
    }

    /**
     * metadata.log.dir, else a sibling of the first log dir named {@code <dir>-metadata}: not inside
     * it, where the log manager would take the quorum's files for a partition directory.
     */
    public Path metadataDir() {
        String dir = getString(ServerConfigDef.METADATA_LOG_DIR);
        if (dir != null) {
            return Path.of(dir);
        }
        Path first = logDirs().get(0).toAbsolutePath().normalize();
        return first.resolveSibling(first.getFileName() + "-metadata");
    }

    public List<Listener> listeners() {
        return parseListeners(ServerConfigDef.LISTENERS, list(ServerConfigDef.LISTENERS));
    }

    public List<Listener> advertisedListeners() {
        List<String> adv = list(ServerConfigDef.ADVERTISED_LISTENERS);
        return adv.isEmpty() ? listeners() : parseListeners(ServerConfigDef.ADVERTISED_LISTENERS, adv);
    }

    /**
     * The listeners this broker serves Kafka clients and other brokers on: every listener that is
     * not a controller listener, in the order given.
     */
    public List<Listener> brokerListeners() {
        List<String> controllerNames = list(ServerConfigDef.CONTROLLER_LISTENER_NAMES);
        List<Listener> out = listeners().stream().filter(l -> !controllerNames.contains(l.name())).toList();
        if (out.isEmpty()) {
            throw new ConfigException("Invalid value for configuration " + ServerConfigDef.LISTENERS
                    + ": no client listener besides " + controllerNames);
        }
        return out;
    }

    /** The first broker listener: where the start line says clients connect. */
    public Listener clientListener() {
        return brokerListeners().get(0);
    }

    /** Where clients and brokers are told to connect for {@code listener} ({@code advertised.listeners}). */
    public Listener advertised(Listener listener) {
        return advertisedListeners().stream().filter(l -> l.name().equals(listener.name())).findFirst().orElse(listener);
    }

    /** {@code inter.broker.listener.name}, normalised as listener names are (upper case). */
    public String interBrokerListenerName() {
        return getString(ServerConfigDef.INTER_BROKER_LISTENER_NAME).trim().toUpperCase(Locale.ROOT);
    }

    /** As Kafka requires: followers fetch on {@code inter.broker.listener.name}, so this broker must serve it. */
    private void checkInterBrokerListener() {
        String name = interBrokerListenerName();
        if (brokerListeners().stream().noneMatch(l -> l.name().equals(name))) {
            throw new ConfigException("Invalid value " + name + " for configuration "
                    + ServerConfigDef.INTER_BROKER_LISTENER_NAME + ": it must be a listener name defined in "
                    + ServerConfigDef.LISTENERS + " (other than a controller listener), and "
                    + brokerListeners().stream().map(Listener::name).toList() + " are");
        }
    }

    /** The controller listener, or null when the process has none. */
    public Listener controllerListener() {
        List<String> controllerNames = list(ServerConfigDef.CONTROLLER_LISTENER_NAMES);
        return listeners().stream().filter(l -> controllerNames.contains(l.name())).findFirst().orElse(null);
    }

    private static List<Listener> parseListeners(String setting, List<String> specs) {
        List<Listener> result = new ArrayList<>();
        for (String spec : specs) {
            int sep = spec.indexOf("://");
            int colon = spec.lastIndexOf(':');
            if (sep <= 0 || colon <= sep + 2) {
                throw new ConfigException("Invalid value " + spec + " for configuration " + setting
                        + ": expected NAME://host:port");
            }
            String name = spec.substring(0, sep).toUpperCase();
            String host = spec.substring(sep + 3, colon);
            int port;
            try {
                port = Integer.parseInt(spec.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException("Invalid value " + spec + " for configuration " + setting + ": bad port");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException("Invalid value " + spec + " for configuration " + setting + ": bad port");
            }
            result.add(new Listener(name, host, port));
        }
        return result;
    }

    /** Retention time in ms by Kafka's precedence: log.retention.ms, minutes, hours. */
    public long retentionMs() {
        Object ms = get(ServerConfigDef.LOG_RETENTION_MS);
        if (ms != null) {
            return (Long) ms;
        }
        Object minutes = get(ServerConfigDef.LOG_RETENTION_MINUTES);
        if (minutes != null) {
            return (Integer) minutes * 60_000L;
        }
        int hours = getInt(ServerConfigDef.LOG_RETENTION_HOURS);
        return hours < 0 ? -1 : hours * 3_600_000L;
    }

    /** Segment roll time in ms: log.roll.ms, else log.roll.hours. */
    public long segmentMs() {
        Object ms = get(ServerConfigDef.LOG_ROLL_MS);
        return ms != null ? (Long) ms : getInt(ServerConfigDef.LOG_ROLL_HOURS) * 3_600_000L;
    }
}
