package io.sluice.server.handler;

import io.sluice.server.config.ConfigKey;
import io.sluice.server.config.DynamicBrokerConfigs;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Effective topic and broker configs for DescribeConfigs and CreateTopics responses: each topic
 * setting with its value and where it comes from (topic override, dynamic broker default,
 * server.properties, or Kafka's default), named and sourced as Kafka reports them. Immutable,
 * thread-safe.
 */
public final class TopicConfigs {

    /** Kafka's DescribeConfigsResponse ConfigSource ids. */
    static final byte TOPIC_CONFIG = 1;
    static final byte DYNAMIC_BROKER_CONFIG = 2;
    static final byte DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
    static final byte STATIC_BROKER_CONFIG = 4;
    static final byte DEFAULT_CONFIG = 5;

    /** Kafka's ConfigType ids (DescribeConfigs v3+). */
    static final byte TYPE_BOOLEAN = 1;
    static final byte TYPE_STRING = 2;
    static final byte TYPE_INT = 3;
    static final byte TYPE_LONG = 5;
    static final byte TYPE_DOUBLE = 6;
    static final byte TYPE_LIST = 7;
    static final byte TYPE_PASSWORD = 9;

    /** One source of a setting's value (Kafka's DescribeConfigs synonym), highest precedence first. */
    public record Synonym(String name, String value, byte source) { }

    /** One described setting; {@code synonyms} lists every source that sets it, the one in force first. */
    public record Entry(String name, String value, byte source, byte type, boolean readOnly, List<Synonym> synonyms) { }

    /** A topic setting and the broker settings that give its default, in Kafka's order (ServerTopicConfigSynonyms). */
    private record Def(String name, List<String> brokerSynonyms, String kafkaDefault, byte type) {
        Def(String name, String brokerKey, String kafkaDefault, byte type) {
            this(name, List.of(brokerKey), kafkaDefault, type);
        }
    }

    /** Topic settings whose broker default Sluice does not know: Kafka's own default applies. */
    private static final List<String> NO_BROKER_SYNONYM = List.of();
    private static final List<String> RETENTION_SYNONYMS = List.of("log.retention.ms", "log.retention.minutes", "log.retention.hours");
    private static final List<String> ROLL_SYNONYMS = List.of("log.roll.ms", "log.roll.hours");

    private static final List<Def> TOPIC_DEFS = List.of(
            new Def("cleanup.policy", "log.cleanup.policy", "delete", TYPE_LIST),
            new Def("compression.type", "compression.type", "producer", TYPE_STRING),
            new Def("delete.retention.ms", "log.cleaner.delete.retention.ms", "86400000", TYPE_LONG),
            new Def("file.delete.delay.ms", NO_BROKER_SYNONYM, "60000", TYPE_LONG),
            new Def("flush.messages", "log.flush.interval.messages", "9223372036854775807", TYPE_LONG),
            new Def("flush.ms", "log.flush.interval.ms", "9223372036854775807", TYPE_LONG),
            new Def("follower.replication.throttled.replicas", NO_BROKER_SYNONYM, "", TYPE_LIST),
            new Def("index.interval.bytes", "log.index.interval.bytes", "4096", TYPE_INT),
            new Def("leader.replication.throttled.replicas", NO_BROKER_SYNONYM, "", TYPE_LIST),
            new Def("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", "9223372036854775807", TYPE_LONG),
            new Def("max.message.bytes", "message.max.bytes", "1048588", TYPE_INT),
            new Def("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", "3600000", TYPE_LONG),
            new Def("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", "9223372036854775807",
                    TYPE_LONG),
            new Def("message.timestamp.type", "log.message.timestamp.type", "CreateTime", TYPE_STRING),
            new Def("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", "0.5", TYPE_DOUBLE),
            new Def("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms", "0", TYPE_LONG),
            new Def("min.insync.replicas", "min.insync.replicas", "1", TYPE_INT),
            new Def("preallocate", NO_BROKER_SYNONYM, "false", TYPE_BOOLEAN),
            new Def("retention.bytes", "log.retention.bytes", "-1", TYPE_LONG),
            new Def("retention.ms", RETENTION_SYNONYMS, "604800000", TYPE_LONG),
            new Def("segment.bytes", "log.segment.bytes", "1073741824", TYPE_INT),
            new Def("segment.index.bytes", "log.index.size.max.bytes", "10485760", TYPE_INT),
            new Def("segment.jitter.ms", NO_BROKER_SYNONYM, "0", TYPE_LONG),
            new Def("segment.ms", ROLL_SYNONYMS, "604800000", TYPE_LONG),
            new Def("unclean.leader.election.enable", "unclean.leader.election.enable", "false", TYPE_BOOLEAN));

    private final ServerConfig config;

    public TopicConfigs(ServerConfig config) {
        this.config = config;
    }

    /**
     * Every topic setting, given the topic's overrides, this broker's dynamic configs and the
     * cluster-wide dynamic defaults: the value in force and, as Kafka lists them, its synonyms
     * (topic override, then each broker synonym as a dynamic per-broker, dynamic default, static
     * and default config). A broker synonym in hours or minutes gives the topic value in ms.
     */
    public List<Entry> describeTopic(Map<String, String> overrides, Map<String, String> dynamicForBroker,
                                     Map<String, String> dynamicDefaults) {
        List<Entry> out = new ArrayList<>(TOPIC_DEFS.size());
        for (Def d : TOPIC_DEFS) {
            List<Synonym> synonyms = new ArrayList<>();
            if (overrides.containsKey(d.name)) {
                synonyms.add(new Synonym(d.name, overrides.get(d.name), TOPIC_CONFIG));
            }
            synonyms.addAll(brokerSynonyms(d.brokerSynonyms, dynamicForBroker, dynamicDefaults));
            if (synonyms.isEmpty()) {
                out.add(new Entry(d.name, d.kafkaDefault, DEFAULT_CONFIG, d.type, false, List.of()));
            } else {
                Synonym inForce = synonyms.get(0);
                out.add(new Entry(d.name, topicValue(inForce), inForce.source(), d.type, false, List.copyOf(synonyms)));
            }
        }
        return out;
    }

    /** Every server.properties setting Sluice knows, with dynamic overrides where set. */
    public List<Entry> describeBroker(Map<String, String> dynamicForBroker, Map<String, String> dynamicDefaults) {
        List<String> dynamic = DynamicBrokerConfigs.applied();
        List<Entry> out = new ArrayList<>();
        for (ConfigKey key : ServerConfigDef.keys().values()) {
            byte type = switch (key.type()) {
                case INT -> TYPE_INT;
                case LONG -> TYPE_LONG;
                case DOUBLE -> TYPE_DOUBLE;
                case BOOLEAN -> TYPE_BOOLEAN;
                case LIST -> TYPE_LIST;
                case PASSWORD -> TYPE_PASSWORD;
                case STRING -> TYPE_STRING;
            };
            String name = key.name();
            // Kafka lists a setting's synonyms from the setting itself on: log.retention.ms has
            // minutes and hours after it, log.retention.hours only itself.
            List<String> group = RETENTION_SYNONYMS.contains(name) ? RETENTION_SYNONYMS
                    : ROLL_SYNONYMS.contains(name) ? ROLL_SYNONYMS : List.of(name);
            List<Synonym> synonyms = brokerSynonyms(group.subList(group.indexOf(name), group.size()),
                    dynamicForBroker, dynamicDefaults);
            boolean readOnly = !dynamic.contains(name);
            if (readOnly) {
                // A dynamic value of a setting Sluice does not apply (stored before such alters were
                // refused) is not in force: it is not described.
                out.add(new Entry(name, render(config.get(name)), config.isSet(name) ? STATIC_BROKER_CONFIG : DEFAULT_CONFIG,
                        type, true, synonyms));
            } else if (dynamicForBroker.containsKey(name)) {
                out.add(new Entry(name, dynamicForBroker.get(name), DYNAMIC_BROKER_CONFIG, type, readOnly, synonyms));
            } else if (dynamicDefaults.containsKey(name)) {
                out.add(new Entry(name, dynamicDefaults.get(name), DYNAMIC_DEFAULT_BROKER_CONFIG, type, readOnly, synonyms));
            } else {
                out.add(new Entry(name, render(config.get(name)), config.isSet(name) ? STATIC_BROKER_CONFIG : DEFAULT_CONFIG,
                        type, readOnly, synonyms));
            }
        }
        new TreeMap<>(DynamicBrokerConfigs.DYNAMIC_ONLY).forEach((name, kafkaDefault) -> {
            List<Synonym> synonyms = new ArrayList<>(brokerSynonyms(List.of(name), dynamicForBroker, dynamicDefaults));
            synonyms.add(new Synonym(name, kafkaDefault, DEFAULT_CONFIG));
            Synonym inForce = synonyms.get(0);
            out.add(new Entry(name, inForce.value(), inForce.source(), TYPE_LONG, false, List.copyOf(synonyms)));
        });
        return out;
    }

    /** The broker-level sources of {@code names}, by level first and name order second (Kafka's ConfigHelper). */
    private List<Synonym> brokerSynonyms(List<String> names, Map<String, String> dynamicForBroker,
                                         Map<String, String> dynamicDefaults) {
        List<Synonym> out = new ArrayList<>();
        List<String> applied = DynamicBrokerConfigs.applied();
        for (String n : names) {
            if (dynamicForBroker.containsKey(n) && applied.contains(n)) {
                out.add(new Synonym(n, dynamicForBroker.get(n), DYNAMIC_BROKER_CONFIG));
            }
        }
        for (String n : names) {
            if (dynamicDefaults.containsKey(n) && applied.contains(n)) {
                out.add(new Synonym(n, dynamicDefaults.get(n), DYNAMIC_DEFAULT_BROKER_CONFIG));
            }
        }
        for (String n : names) {
            if (ServerConfigDef.keys().containsKey(n) && config.isSet(n)) {
                out.add(new Synonym(n, render(config.get(n)), STATIC_BROKER_CONFIG));
            }
        }
        for (String n : names) {
            ConfigKey key = ServerConfigDef.keys().get(n);
            if (key != null && key.defaultValue() != null && key.defaultValue() != ConfigKey.REQUIRED) {
                out.add(new Synonym(n, render(key.defaultValue()), DEFAULT_CONFIG));
            }
        }
        return out;
    }

    /** A synonym's value in the topic setting's unit: broker retention and roll times may be in hours or minutes. */
    private static String topicValue(Synonym s) {
        long factor = s.name().endsWith(".hours") ? 3_600_000L : s.name().endsWith(".minutes") ? 60_000L : 1;
        if (factor == 1 || s.value() == null) {
            return s.value();
        }
        long ms = Long.parseLong(s.value().trim()) * factor;
        return Long.toString(ms < 0 ? -1 : ms);
    }

    private static String render(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }
}
