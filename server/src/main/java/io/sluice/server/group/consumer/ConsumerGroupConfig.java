package io.sluice.server.group.consumer;

import io.sluice.server.config.ConfigException;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import java.util.List;

/**
 * Settings of KIP-848 consumer groups, with Kafka's names, defaults and cross-checks
 * (GroupCoordinatorConfig). Immutable, thread-safe.
 *
 * @param sessionTimeoutMs    group.consumer.session.timeout.ms (45000), within its min/max settings
 * @param heartbeatIntervalMs group.consumer.heartbeat.interval.ms (5000), within its min/max, below the session
 * @param maxSize             group.consumer.max.size (Integer.MAX_VALUE)
 * @param assignors           group.consumer.assignors ("uniform", "range"): the first is the default
 */
public record ConsumerGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, List<String> assignors) {

    public ConsumerGroupConfig {
        if (heartbeatIntervalMs >= sessionTimeoutMs) {
            throw new ConfigException(ServerConfigDef.GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS + " (" + heartbeatIntervalMs
                    + ") must be less than " + ServerConfigDef.GROUP_CONSUMER_SESSION_TIMEOUT_MS + " (" + sessionTimeoutMs + ")");
        }
        if (assignors.isEmpty()) {
            throw new ConfigException(ServerConfigDef.GROUP_CONSUMER_ASSIGNORS + " must name at least one assignor");
        }
        assignors = List.copyOf(assignors);
    }

    public static ConsumerGroupConfig defaults() {
        return new ConsumerGroupConfig(45_000, 5000, Integer.MAX_VALUE, List.of("uniform", "range"));
    }

    public static ConsumerGroupConfig from(ServerConfig c) {
        int session = within(c, ServerConfigDef.GROUP_CONSUMER_SESSION_TIMEOUT_MS,
                ServerConfigDef.GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS, ServerConfigDef.GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS);
        int heartbeat = within(c, ServerConfigDef.GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS,
                ServerConfigDef.GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS,
                ServerConfigDef.GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS);
        return new ConsumerGroupConfig(session, heartbeat, c.getInt(ServerConfigDef.GROUP_CONSUMER_MAX_SIZE),
                c.list(ServerConfigDef.GROUP_CONSUMER_ASSIGNORS));
    }

    public ConsumerGroupConfig withTimeouts(int sessionMs, int heartbeatMs) {
        return new ConsumerGroupConfig(sessionMs, heartbeatMs, maxSize, assignors);
    }

    public ConsumerGroupConfig withMaxSize(int n) {
        return new ConsumerGroupConfig(sessionTimeoutMs, heartbeatIntervalMs, n, assignors);
    }

    public String defaultAssignor() {
        return assignors.get(0);
    }

    /** Kafka refuses to start when a value lies outside its min/max settings. */
    private static int within(ServerConfig c, String name, String minName, String maxName) {
        int v = c.getInt(name);
        int min = c.getInt(minName);
        int max = c.getInt(maxName);
        if (min > max) {
            throw new ConfigException(minName + " (" + min + ") must not exceed " + maxName + " (" + max + ")");
        }
        if (v < min || v > max) {
            throw new ConfigException(name + " (" + v + ") must be between " + minName + " (" + min + ") and "
                    + maxName + " (" + max + ")");
        }
        return v;
    }
}
