package io.sluice.server.handler;

import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Group configs (KIP-848's {@code kafka-configs --entity-type groups}) as Sluice's broker sees
 * them: which of Kafka's group configs Sluice applies, the checks against this broker's group
 * settings that Kafka's GroupConfig.validate makes, and how DescribeConfigs shows them (the
 * group's value with source GROUP_CONFIG, else the broker's setting with source DEFAULT_CONFIG, as
 * Kafka's ConfigHelper does). Names and plain ranges are the quorum's check (ConfigValidator).
 * Stateless, thread-safe.
 */
final class GroupConfigSupport {

    static final byte GROUP = 32;
    /** Kafka's ConfigSource.GROUP_CONFIG. */
    static final byte GROUP_CONFIG = 8;

    static final String CONSUMER_SESSION_TIMEOUT_MS = "consumer.session.timeout.ms";
    static final String CONSUMER_HEARTBEAT_INTERVAL_MS = "consumer.heartbeat.interval.ms";
    static final String SHARE_SESSION_TIMEOUT_MS = "share.session.timeout.ms";
    static final String SHARE_HEARTBEAT_INTERVAL_MS = "share.heartbeat.interval.ms";
    static final String SHARE_RECORD_LOCK_DURATION_MS = "share.record.lock.duration.ms";
    static final String SHARE_DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";
    static final String SHARE_AUTO_OFFSET_RESET = "share.auto.offset.reset";
    static final String SHARE_ISOLATION_LEVEL = "share.isolation.level";

    /** A group config Sluice applies: its default is a broker setting, or Kafka's fixed default. */
    private record Def(String name, String brokerSetting, String fixedDefault, byte type) { }

    private static final List<Def> APPLIED = List.of(
            new Def(CONSUMER_SESSION_TIMEOUT_MS, ServerConfigDef.GROUP_CONSUMER_SESSION_TIMEOUT_MS, null, TopicConfigs.TYPE_INT),
            new Def(CONSUMER_HEARTBEAT_INTERVAL_MS, ServerConfigDef.GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, null,
                    TopicConfigs.TYPE_INT),
            new Def(SHARE_SESSION_TIMEOUT_MS, ServerConfigDef.GROUP_SHARE_SESSION_TIMEOUT_MS, null, TopicConfigs.TYPE_INT),
            new Def(SHARE_HEARTBEAT_INTERVAL_MS, ServerConfigDef.GROUP_SHARE_HEARTBEAT_INTERVAL_MS, null, TopicConfigs.TYPE_INT),
            new Def(SHARE_RECORD_LOCK_DURATION_MS, ServerConfigDef.GROUP_SHARE_RECORD_LOCK_DURATION_MS, null,
                    TopicConfigs.TYPE_INT),
            new Def(SHARE_DELIVERY_COUNT_LIMIT, ServerConfigDef.GROUP_SHARE_DELIVERY_COUNT_LIMIT, null, TopicConfigs.TYPE_INT),
            new Def(SHARE_AUTO_OFFSET_RESET, null, "latest", TopicConfigs.TYPE_STRING),
            // Sluice refuses transactions, so no aborted data exists and both levels read the same records.
            new Def(SHARE_ISOLATION_LEVEL, null, "read_uncommitted", TopicConfigs.TYPE_STRING));

    private GroupConfigSupport() { }

    /**
     * Null when Sluice applies group config {@code name}; else why not, naming it. Names Kafka does
     * not know are left to the quorum (INVALID_CONFIG "Unknown group config name").
     */
    static String refusal(String name) {
        if (APPLIED.stream().anyMatch(d -> d.name.equals(name))) {
            return null;
        }
        if (name.startsWith("streams.")) {
            return "Cannot set " + name + ": Sluice does not serve streams groups (KIP-1071)";
        }
        if (name.startsWith("errors.deadletterqueue.")) {
            return "Cannot set " + name + ": Sluice has no dead-letter queue for share groups";
        }
        if (name.endsWith(".assignment.interval.ms") || name.endsWith(".assignor.offload.enable")) {
            return "Cannot set " + name + ": Sluice computes a group's target assignment at once, on the coordinator";
        }
        if (name.equals("share.partition.max.record.locks") || name.equals("share.renew.acknowledge.enable")) {
            return "Cannot set " + name + " per group: Sluice applies only the broker-wide setting";
        }
        return null;
    }

    /**
     * Kafka's GroupConfig.validate over a group's configs after an alter, against this broker's
     * group settings: null when they hold, else the first that does not (naming the bound).
     */
    static String violation(Map<String, String> after, ServerConfig broker) {
        try {
            int consumerSession = value(after, CONSUMER_SESSION_TIMEOUT_MS, broker);
            int consumerHeartbeat = value(after, CONSUMER_HEARTBEAT_INTERVAL_MS, broker);
            String bad = outside(consumerSession, CONSUMER_SESSION_TIMEOUT_MS, broker,
                    ServerConfigDef.GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS, ServerConfigDef.GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS);
            bad = bad != null ? bad : outside(consumerHeartbeat, CONSUMER_HEARTBEAT_INTERVAL_MS, broker,
                    ServerConfigDef.GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS, ServerConfigDef.GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS);
            if (bad == null && consumerSession <= consumerHeartbeat) {
                bad = CONSUMER_SESSION_TIMEOUT_MS + " must be greater than " + CONSUMER_HEARTBEAT_INTERVAL_MS;
            }
            if (bad == null && value(after, SHARE_SESSION_TIMEOUT_MS, broker) <= value(after, SHARE_HEARTBEAT_INTERVAL_MS, broker)) {
                bad = SHARE_SESSION_TIMEOUT_MS + " must be greater than " + SHARE_HEARTBEAT_INTERVAL_MS;
            }
            // The broker settings' own ranges are the bounds Sluice has for these (Kafka's group.share.min/max.*).
            for (String name : List.of(SHARE_RECORD_LOCK_DURATION_MS, SHARE_DELIVERY_COUNT_LIMIT)) {
                String setting = brokerSetting(name);
                String err = bad == null && after.containsKey(name)
                        ? ServerConfigDef.keys().get(setting).validator().check(Integer.valueOf(after.get(name).trim())) : null;
                bad = err != null ? name + ": " + err + " (the range of " + setting + ")" : bad;
            }
            return bad;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The group's configs Sluice applies, as DescribeConfigs shows them. */
    static List<TopicConfigs.Entry> describe(Map<String, String> groupConfigs, ServerConfig broker) {
        List<TopicConfigs.Entry> out = new ArrayList<>(APPLIED.size());
        for (Def d : APPLIED) {
            String own = groupConfigs.get(d.name);
            String value = own != null ? own : d.brokerSetting == null ? d.fixedDefault
                    : Integer.toString(broker.getInt(d.brokerSetting));
            byte source = own != null ? GROUP_CONFIG : TopicConfigs.DEFAULT_CONFIG;
            out.add(new TopicConfigs.Entry(d.name, value, source, d.type, false,
                    List.of(new TopicConfigs.Synonym(d.name, value, source))));
        }
        return out;
    }

    private static int value(Map<String, String> after, String name, ServerConfig broker) {
        String own = after.get(name);
        return own != null ? Integer.parseInt(own.trim()) : broker.getInt(brokerSetting(name));
    }

    private static String brokerSetting(String name) {
        return APPLIED.stream().filter(d -> d.name.equals(name)).findFirst().orElseThrow().brokerSetting;
    }

    private static String outside(int value, String name, ServerConfig broker, String minSetting, String maxSetting) {
        if (value < broker.getInt(minSetting)) {
            return name + " must be greater than or equal to " + minSetting;
        }
        return value > broker.getInt(maxSetting) ? name + " must be less than or equal to " + maxSetting : null;
    }
}
