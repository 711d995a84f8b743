package io.sluice.metadata.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kafka's definitions (name, type, valid range) of topic configs ({@code TopicConfig}/{@code LogConfig},
 * Kafka 4.x incl. KIP-1030's minimums) and of the broker configs Sluice accepts as dynamic
 * (cluster-wide or per-broker), and of group configs ({@code GroupConfig}). Used by CreateTopics and AlterConfigs so that an unknown name or a
 * bad value fails with INVALID_CONFIG and nothing is stored. Stateless, thread-safe.
 */
public final class ConfigValidator {
    private static final Map<String, Rule> TOPIC = new HashMap<>();
    private static final Map<String, Rule> BROKER = new HashMap<>();
    private static final Map<String, Rule> GROUP = new HashMap<>();

    static {
        TOPIC.put("cleanup.policy", list(Set.of("delete", "compact")));
        TOPIC.put("compression.type", oneOf(Set.of("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")));
        TOPIC.put("compression.gzip.level", v -> {
            long l = parseLong(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
            return l == -1 || (l >= 1 && l <= 9) ? null : "must be -1 or in [1, 9]";
        });
        TOPIC.put("compression.lz4.level", intRange(1, 17));
        TOPIC.put("compression.zstd.level", intRange(-131072, 22));
        TOPIC.put("delete.retention.ms", longAtLeast(0));
        TOPIC.put("file.delete.delay.ms", longAtLeast(0));
        TOPIC.put("flush.messages", longAtLeast(1));
        TOPIC.put("flush.ms", longAtLeast(0));
        TOPIC.put(ThrottledReplicas.FOLLOWER_CONFIG, v -> ThrottledReplicas.check(ThrottledReplicas.FOLLOWER_CONFIG, v));
        TOPIC.put(ThrottledReplicas.LEADER_CONFIG, v -> ThrottledReplicas.check(ThrottledReplicas.LEADER_CONFIG, v));
        TOPIC.put("index.interval.bytes", intRange(0, Integer.MAX_VALUE));
        TOPIC.put("local.retention.bytes", longAtLeast(-2));
        TOPIC.put("local.retention.ms", longAtLeast(-2));
        TOPIC.put("max.compaction.lag.ms", longAtLeast(1));
        TOPIC.put("max.message.bytes", intRange(0, Integer.MAX_VALUE));
        TOPIC.put("message.timestamp.after.max.ms", longAtLeast(0));
        TOPIC.put("message.timestamp.before.max.ms", longAtLeast(0));
        TOPIC.put("message.timestamp.type", oneOf(Set.of("CreateTime", "LogAppendTime")));
        TOPIC.put("min.cleanable.dirty.ratio", doubleRange(0, 1));
        TOPIC.put("min.compaction.lag.ms", longAtLeast(0));
        TOPIC.put("min.insync.replicas", intRange(1, Integer.MAX_VALUE));
        TOPIC.put("preallocate", bool());
        TOPIC.put("remote.storage.enable", bool());
        TOPIC.put("remote.log.copy.disable", bool());
        TOPIC.put("remote.log.delete.on.disable", bool());
        TOPIC.put("retention.bytes", longAtLeast(Long.MIN_VALUE));
        TOPIC.put("retention.ms", longAtLeast(-1));
        TOPIC.put("segment.bytes", intRange(1024 * 1024, Integer.MAX_VALUE));
        TOPIC.put("segment.index.bytes", intRange(4, Integer.MAX_VALUE));
        TOPIC.put("segment.jitter.ms", longAtLeast(0));
        TOPIC.put("segment.ms", longAtLeast(1));
        TOPIC.put("unclean.leader.election.enable", bool());

        BROKER.put("log.retention.ms", longAtLeast(-1));
        BROKER.put("log.retention.bytes", longAtLeast(Long.MIN_VALUE));
        BROKER.put("log.segment.bytes", intRange(1024 * 1024, Integer.MAX_VALUE));
        BROKER.put("log.roll.ms", longAtLeast(1));
        BROKER.put("log.flush.interval.messages", longAtLeast(1));
        BROKER.put("log.flush.interval.ms", longAtLeast(0));
        BROKER.put("log.cleanup.policy", list(Set.of("delete", "compact")));
        BROKER.put("log.index.interval.bytes", intRange(0, Integer.MAX_VALUE));
        BROKER.put("log.message.timestamp.type", oneOf(Set.of("CreateTime", "LogAppendTime")));
        BROKER.put("message.max.bytes", intRange(0, Integer.MAX_VALUE));
        BROKER.put("min.insync.replicas", intRange(1, Integer.MAX_VALUE));
        BROKER.put("unclean.leader.election.enable", bool());
        BROKER.put("compression.type", oneOf(Set.of("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")));
        BROKER.put("num.io.threads", intRange(1, Integer.MAX_VALUE));
        BROKER.put("num.network.threads", intRange(1, Integer.MAX_VALUE));
        BROKER.put("num.replica.fetchers", intRange(1, Integer.MAX_VALUE));
        BROKER.put("leader.replication.throttled.rate", longAtLeast(0));
        BROKER.put("follower.replication.throttled.rate", longAtLeast(0));
        BROKER.put("log.cleaner.threads", intRange(0, Integer.MAX_VALUE));
        BROKER.put("log.cleaner.dedupe.buffer.size", longAtLeast(Long.MIN_VALUE));
        BROKER.put("log.cleaner.io.buffer.size", intRange(0, Integer.MAX_VALUE));
        BROKER.put("log.cleaner.io.buffer.load.factor", doubleRange(-Double.MAX_VALUE, Double.MAX_VALUE));
        BROKER.put("log.cleaner.io.max.bytes.per.second", doubleRange(-Double.MAX_VALUE, Double.MAX_VALUE));
        BROKER.put("log.cleaner.backoff.ms", longAtLeast(0));
        BROKER.put("log.cleaner.delete.retention.ms", longAtLeast(0));
        BROKER.put("log.cleaner.min.compaction.lag.ms", longAtLeast(0));
        BROKER.put("log.cleaner.max.compaction.lag.ms", longAtLeast(1));
        BROKER.put("log.cleaner.min.cleanable.ratio", doubleRange(0, 1));
        BROKER.put("max.connections", intRange(0, Integer.MAX_VALUE));
        BROKER.put("max.connections.per.ip", intRange(0, Integer.MAX_VALUE));

        // Kafka 4.4's GroupConfig: every name and its own range. The bounds that depend on the
        // broker's group.* settings are checked by the broker that receives the alter.
        for (String timing : List.of("consumer.session.timeout.ms", "consumer.heartbeat.interval.ms",
            "share.session.timeout.ms", "share.heartbeat.interval.ms", "streams.session.timeout.ms",
            "streams.heartbeat.interval.ms", "streams.task.offset.interval.ms")) {
            GROUP.put(timing, intRange(1, Integer.MAX_VALUE));
        }
        for (String atLeastZero : List.of("consumer.assignment.interval.ms", "share.assignment.interval.ms",
            "streams.assignment.interval.ms", "streams.num.standby.replicas", "streams.initial.rebalance.delay.ms",
            "streams.num.warmup.replicas")) {
            GROUP.put(atLeastZero, intRange(0, Integer.MAX_VALUE));
        }
        for (String flag : List.of("consumer.assignor.offload.enable", "share.assignor.offload.enable",
            "streams.assignor.offload.enable", "share.renew.acknowledge.enable",
            "errors.deadletterqueue.copy.record.enable")) {
            GROUP.put(flag, bool());
        }
        GROUP.put("share.record.lock.duration.ms", intRange(1000, Integer.MAX_VALUE));
        GROUP.put("share.delivery.count.limit", intRange(2, Integer.MAX_VALUE));
        GROUP.put("share.partition.max.record.locks", intRange(100, Integer.MAX_VALUE));
        GROUP.put("share.auto.offset.reset", ConfigValidator::shareAutoOffsetReset);
        GROUP.put("share.isolation.level", oneOf(Set.of("read_committed", "read_uncommitted")));
        GROUP.put("streams.rack.aware.assignment.tags", v -> null);
        GROUP.put("streams.acceptable.recovery.lag", longAtLeast(0));
        GROUP.put("streams.assignor.name", v -> null);
        GROUP.put("errors.deadletterqueue.topic.name", v -> null);
    }

    private ConfigValidator() {
    }

    /** Error message for a topic config, or empty when name and value are valid. */
    public static Optional<String> validateTopicConfig(String name, String value) {
        return validate(TOPIC, "topic", name, value);
    }

    /** Error message for a dynamic broker config, or empty when valid. */
    public static Optional<String> validateBrokerConfig(String name, String value) {
        return validate(BROKER, "broker", name, value);
    }

    /** Error message for a group config (Kafka's GroupConfig names and ranges), or empty when valid. */
    public static Optional<String> validateGroupConfig(String name, String value) {
        return validate(GROUP, "group", name, value);
    }

    public static boolean isGroupConfig(String name) {
        return GROUP.containsKey(name);
    }

    public static boolean isTopicConfig(String name) {
        return TOPIC.containsKey(name);
    }

    public static boolean isBrokerConfig(String name) {
        return BROKER.containsKey(name);
    }

    /** Error message for the first bad entry of a topic config map, or empty. */
    public static Optional<String> validateTopicConfigs(Map<String, String> configs) {
        for (Map.Entry<String, String> e : configs.entrySet()) {
            Optional<String> err = validateTopicConfig(e.getKey(), e.getValue());
            if (err.isPresent()) {
                return err;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> validate(Map<String, Rule> rules, String kind, String name, String value) {
        Rule rule = rules.get(name);
        if (rule == null) {
            return Optional.of("Unknown " + kind + " config name: " + name);
        }
        if (value == null) {
            return Optional.of("Invalid value null for configuration " + name);
        }
        String err;
        try {
            err = rule.check(value.trim());
        } catch (NumberFormatException e) {
            err = "not a number";
        }
        return err == null ? Optional.empty()
            : Optional.of("Invalid value " + value + " for configuration " + name + ": " + err);
    }

    /** Kafka's ShareGroupAutoOffsetResetStrategy: latest, earliest, or by_duration:&lt;ISO-8601 duration&gt;. */
    private static String shareAutoOffsetReset(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.equals("latest") || s.equals("earliest")) {
            return null;
        }
        if (s.startsWith("by_duration:")) {
            try {
                return Duration.parse(v.substring("by_duration:".length())).isNegative()
                    ? "the duration must not be negative" : null;
            } catch (DateTimeParseException e) {
                return "not an ISO-8601 duration (PnDTnHnMn.nS)";
            }
        }
        return "String must be one of: latest, earliest, by_duration:PnDTnHnMn.nS";
    }

    @FunctionalInterface
    private interface Rule {
        /** Null when valid, else why not. */
        String check(String value);
    }

    private static long parseLong(String v, long min, long max) {
        long l = Long.parseLong(v);
        if (l < min || l > max) {
            throw new NumberFormatException();
        }
        return l;
    }

    private static Rule intRange(long min, long max) {
        return v -> {
            long l = parseLong(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
            return l >= min && l <= max ? null : "Value must be in [" + min + ", " + max + "]";
        };
    }

    private static Rule longAtLeast(long min) {
        return v -> Long.parseLong(v) >= min ? null : "Value must be at least " + min;
    }

    private static Rule doubleRange(double min, double max) {
        return v -> {
            double d = Double.parseDouble(v);
            return d >= min && d <= max ? null : "Value must be in [" + min + ", " + max + "]";
        };
    }

    private static Rule bool() {
        return v -> {
            String s = v.toLowerCase(Locale.ROOT);
            return s.equals("true") || s.equals("false") ? null : "Expected value to be either true or false";
        };
    }

    private static Rule oneOf(Set<String> allowed) {
        return v -> allowed.contains(v) ? null : "String must be one of: " + String.join(", ", allowed);
    }

    private static Rule list(Set<String> allowed) {
        return v -> {
            for (String part : v.split(",")) {
                if (!allowed.contains(part.trim())) {
                    return "Invalid value " + part.trim() + ", must be one of " + allowed;
                }
            }
            return null;
        };
    }
}
