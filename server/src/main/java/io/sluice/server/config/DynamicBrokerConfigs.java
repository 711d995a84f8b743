package io.sluice.server.config;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.log.LogConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The broker settings Sluice applies when set dynamically (AlterConfigs / IncrementalAlterConfigs
 * on a BROKER resource, cluster default or this broker), and the refusal of every other one:
 * describing a value that is not in force is the one thing an alter must not cause (issue 11,
 * item 10). Applied: Kafka's dynamic log configs that Sluice's logs have (they override
 * server.properties and are overridden by a topic's own configs, without a restart) and
 * {@code unclean.leader.election.enable}, which the quorum reads; {@code num.replica.fetchers},
 * the log cleaner's reconfigurable settings and the replication throttle rates, which each broker
 * applies to itself. Used by the AlterConfigs handler
 * (what may be stored), the ReplicaManager (what the logs get) and TopicConfigs (what is described).
 * Stateless, thread-safe.
 */
public final class DynamicBrokerConfigs {

    /** Broker-level log config → the topic config it is the default of (Kafka's ServerTopicConfigSynonyms). */
    private static final Map<String, String> LOG_CONFIG_TOPIC_NAMES = Map.of(
            "log.retention.ms", "retention.ms",
            "log.retention.bytes", "retention.bytes",
            "log.segment.bytes", "segment.bytes",
            "log.roll.ms", "segment.ms",
            "log.flush.interval.messages", "flush.messages",
            "log.flush.interval.ms", "flush.ms",
            "log.index.interval.bytes", "index.interval.bytes",
            "log.message.timestamp.type", "message.timestamp.type",
            "log.cleanup.policy", "cleanup.policy",
            "message.max.bytes", "max.message.bytes");

    /** The log cleaner's topic-default synonyms, as {@link #LOG_CONFIG_TOPIC_NAMES}. */
    private static final Map<String, String> CLEANER_LOG_CONFIG_TOPIC_NAMES = Map.of(
            "log.cleaner.delete.retention.ms", "delete.retention.ms",
            "log.cleaner.min.compaction.lag.ms", "min.compaction.lag.ms",
            "log.cleaner.max.compaction.lag.ms", "max.compaction.lag.ms",
            "log.cleaner.min.cleanable.ratio", "min.cleanable.dirty.ratio");

    /** Applied by the metadata quorum (leader election reads the cluster default). */
    private static final Set<String> QUORUM_APPLIED = Set.of("unclean.leader.election.enable");

    /** Applied by each broker to itself when its dynamic value changes (per broker, else the cluster default). */
    private static final Set<String> BROKER_APPLIED = Set.of("num.replica.fetchers");

    /**
     * Kafka's replication throttle rates (bytes/s): dynamic only, as in Kafka (no server.properties
     * setting), so they are described with Kafka's default, unthrottled, when not set.
     */
    public static final Map<String, String> DYNAMIC_ONLY = Map.of(
            "leader.replication.throttled.rate", Long.toString(Long.MAX_VALUE),
            "follower.replication.throttled.rate", Long.toString(Long.MAX_VALUE));

    /** Why a dynamic broker config is refused: a Kafka error code and a message naming the setting. */
    public record Refusal(short errorCode, String message) { }

    private static final short INVALID_REQUEST = 42;

    private DynamicBrokerConfigs() { }

    /**
     * A topic's log config, by Kafka's precedence: the topic's own configs, then this broker's
     * dynamic configs, then the cluster-wide dynamic defaults, then server.properties.
     */
    public static LogConfig logConfig(LogConfig brokerDefaults, int nodeId, MetadataImage image, TopicImage topic) {
        Map<String, Map<String, String>> dynamic = image.brokerConfigs();
        return brokerDefaults
                .overriddenBy(asTopicConfigs(dynamic.getOrDefault("", Map.of())))
                .overriddenBy(asTopicConfigs(dynamic.getOrDefault(Integer.toString(nodeId), Map.of())))
                .overriddenBy(topic.configs());
    }

    /** Every broker setting that may be set dynamically, sorted (for messages and docs). */
    public static List<String> applied() {
        Set<String> all = new TreeSet<>(LOG_CONFIG_TOPIC_NAMES.keySet());
        all.addAll(CLEANER_LOG_CONFIG_TOPIC_NAMES.keySet());
        all.addAll(CleanerConfig.RECONFIGURABLE);
        all.addAll(QUORUM_APPLIED);
        all.addAll(BROKER_APPLIED);
        all.addAll(DYNAMIC_ONLY.keySet());
        return List.copyOf(all);
    }

    /**
     * Null when Sluice applies {@code name = value} set dynamically, as the cluster-wide default
     * (resource name "") or for one broker; else why not. Unknown names are left to the quorum's
     * validation (INVALID_CONFIG, as for a bad value).
     */
    public static Refusal checkSet(String resourceName, String name, String value) {
        if (QUORUM_APPLIED.contains(name) && !resourceName.isEmpty()) {
            return new Refusal(INVALID_REQUEST, "Cannot set " + name + " for broker " + resourceName
                    + ": the quorum applies it as the cluster-wide default only (kafka-configs --entity-default)");
        }
        if (CleanerConfig.RECONFIGURABLE.contains(name)) {
            try {
                CleanerConfig.DEFAULTS.overriddenBy(Map.of(name, value));
                return null;
            } catch (IllegalArgumentException e) {
                return new Refusal(INVALID_REQUEST, e.getMessage());
            }
        }
        if (topicName(name) != null || QUORUM_APPLIED.contains(name) || BROKER_APPLIED.contains(name)
                || DYNAMIC_ONLY.containsKey(name)) {
            return null;
        }
        SettingSupport.Kind kind = SettingSupport.classify(name);
        return switch (kind) {
            case SECURITY -> new Refusal(INVALID_REQUEST, SettingSupport.securityRefusal(name));
            case KNOWN, NO_EFFECT -> new Refusal(INVALID_REQUEST, "Cannot update broker config " + name
                    + " dynamically: Sluice " + (kind == SettingSupport.Kind.KNOWN ? "reads it from server.properties at start only"
                    : "does not implement it yet") + ". Dynamic broker configs Sluice applies: " + String.join(", ", applied()));
            case UNKNOWN -> null;
        };
    }

    /**
     * A broker setting in force on broker {@code nodeId}, by Kafka's precedence: its own dynamic
     * value, then the cluster-wide dynamic default, then {@code staticValue} (server.properties).
     */
    public static String effective(String name, String staticValue, int nodeId, MetadataImage image) {
        Map<String, Map<String, String>> dynamic = image.brokerConfigs();
        String own = dynamic.getOrDefault(Integer.toString(nodeId), Map.of()).get(name);
        return own != null ? own : dynamic.getOrDefault("", Map.of()).getOrDefault(name, staticValue);
    }

    /** The topic config a broker log config is the default of, else null. */
    private static String topicName(String brokerName) {
        String name = LOG_CONFIG_TOPIC_NAMES.get(brokerName);
        return name != null ? name : CLEANER_LOG_CONFIG_TOPIC_NAMES.get(brokerName);
    }

    /**
     * The log cleaner settings in force on broker {@code nodeId}: {@code staticConfig}
     * (server.properties) with the dynamic values of its {@link CleanerConfig#RECONFIGURABLE}
     * settings, by {@link #effective}'s precedence.
     */
    public static CleanerConfig cleanerConfig(CleanerConfig staticConfig, int nodeId, MetadataImage image) {
        Map<String, String> dynamic = new HashMap<>();
        for (String name : CleanerConfig.RECONFIGURABLE) {
            String value = effective(name, null, nodeId, image);
            if (value != null) {
                dynamic.put(name, value);
            }
        }
        return staticConfig.overriddenBy(dynamic);
    }

    /** The log configs among dynamic broker configs, under their topic names (to layer under topic overrides). */
    public static Map<String, String> asTopicConfigs(Map<String, String> brokerConfigs) {
        Map<String, String> out = new HashMap<>();
        brokerConfigs.forEach((name, value) -> {
            String topicName = topicName(name);
            if (topicName != null) {
                out.put(topicName, value);
            }
        });
        return out;
    }
}
