package io.sluice.server.handler;

import io.sluice.server.config.ConfigKey;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** One described setting. */
    public record Entry(String name, String value, byte source, byte type, boolean readOnly) { }

    private record Def(String name, String brokerKey, String kafkaDefault, byte type) { }

    private static final List<Def> TOPIC_DEFS = List.of(
            new Def("cleanup.policy", "log.cleanup.policy", "delete", TYPE_LIST),
            new Def("compression.type", "compression.type", "producer", TYPE_STRING),
            new Def("delete.retention.ms", null, "86400000", TYPE_LONG),
            new Def("file.delete.delay.ms", null, "60000", TYPE_LONG),
            new Def("flush.messages", "log.flush.interval.messages", "9223372036854775807", TYPE_LONG),
            new Def("flush.ms", "log.flush.interval.ms", "9223372036854775807", TYPE_LONG),
            new Def("index.interval.bytes", "log.index.interval.bytes", "4096", TYPE_INT),
            new Def("max.compaction.lag.ms", null, "9223372036854775807", TYPE_LONG),
            new Def("max.message.bytes", "message.max.bytes", "1048588", TYPE_INT),
            new Def("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", "3600000", TYPE_LONG),
            new Def("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", "9223372036854775807",
                    TYPE_LONG),
            new Def("message.timestamp.type", "log.message.timestamp.type", "CreateTime", TYPE_STRING),
            new Def("min.cleanable.dirty.ratio", null, "0.5", TYPE_DOUBLE),
            new Def("min.compaction.lag.ms", null, "0", TYPE_LONG),
            new Def("min.insync.replicas", "min.insync.replicas", "1", TYPE_INT),
            new Def("preallocate", null, "false", TYPE_BOOLEAN),
            new Def("retention.bytes", "log.retention.bytes", "-1", TYPE_LONG),
            new Def("retention.ms", "log.retention.ms", "604800000", TYPE_LONG),
            new Def("segment.bytes", "log.segment.bytes", "1073741824", TYPE_INT),
            new Def("segment.index.bytes", "log.index.size.max.bytes", "10485760", TYPE_INT),
            new Def("segment.jitter.ms", null, "0", TYPE_LONG),
            new Def("segment.ms", "log.roll.ms", "604800000", TYPE_LONG),
            new Def("unclean.leader.election.enable", null, "false", TYPE_BOOLEAN));

    private final ServerConfig config;

    public TopicConfigs(ServerConfig config) {
        this.config = config;
    }

    /** Every topic setting, given the topic's overrides and the cluster-wide dynamic defaults. */
    public List<Entry> describeTopic(Map<String, String> overrides, Map<String, String> dynamicDefaults) {
        List<Entry> out = new ArrayList<>(TOPIC_DEFS.size());
        for (Def d : TOPIC_DEFS) {
            if (overrides.containsKey(d.name)) {
                out.add(new Entry(d.name, overrides.get(d.name), TOPIC_CONFIG, d.type, false));
            } else if (d.brokerKey != null && dynamicDefaults.containsKey(d.brokerKey)) {
                out.add(new Entry(d.name, dynamicDefaults.get(d.brokerKey), DYNAMIC_DEFAULT_BROKER_CONFIG, d.type, false));
            } else if (d.brokerKey != null && staticBrokerValue(d.brokerKey) != null) {
                out.add(new Entry(d.name, staticBrokerValue(d.brokerKey), STATIC_BROKER_CONFIG, d.type, false));
            } else {
                out.add(new Entry(d.name, d.kafkaDefault, DEFAULT_CONFIG, d.type, false));
            }
        }
        return out;
    }

    /** Every server.properties setting Sluice knows, with dynamic overrides where set. */
    public List<Entry> describeBroker(Map<String, String> dynamicForBroker, Map<String, String> dynamicDefaults) {
        List<Entry> out = new ArrayList<>();
        for (ConfigKey key : ServerConfigDef.keys().values()) {
            byte type = switch (key.type()) {
                case INT -> TYPE_INT;
                case LONG -> TYPE_LONG;
                case BOOLEAN -> TYPE_BOOLEAN;
                case LIST -> TYPE_LIST;
                case PASSWORD -> TYPE_PASSWORD;
                case STRING -> TYPE_STRING;
            };
            String name = key.name();
            if (dynamicForBroker.containsKey(name)) {
                out.add(new Entry(name, dynamicForBroker.get(name), DYNAMIC_BROKER_CONFIG, type, false));
            } else if (dynamicDefaults.containsKey(name)) {
                out.add(new Entry(name, dynamicDefaults.get(name), DYNAMIC_DEFAULT_BROKER_CONFIG, type, false));
            } else {
                out.add(new Entry(name, render(config.get(name)), config.isSet(name) ? STATIC_BROKER_CONFIG : DEFAULT_CONFIG,
                        type, true));
            }
        }
        return out;
    }

    /** The value server.properties gives a broker-level key, only if the file set it (or derived from it). */
    private String staticBrokerValue(String brokerKey) {
        if (brokerKey.equals("log.retention.ms")) {
            boolean set = config.isSet(ServerConfigDef.LOG_RETENTION_MS) || config.isSet(ServerConfigDef.LOG_RETENTION_MINUTES)
                    || config.isSet(ServerConfigDef.LOG_RETENTION_HOURS);
            return set ? Long.toString(config.retentionMs()) : null;
        }
        if (brokerKey.equals("log.roll.ms")) {
            boolean set = config.isSet(ServerConfigDef.LOG_ROLL_MS) || config.isSet(ServerConfigDef.LOG_ROLL_HOURS);
            return set ? Long.toString(config.segmentMs()) : null;
        }
        if (!ServerConfigDef.keys().containsKey(brokerKey) || !config.isSet(brokerKey)) {
            return null;
        }
        return render(config.get(brokerKey));
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
