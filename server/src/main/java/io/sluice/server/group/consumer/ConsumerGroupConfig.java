package io.sluice.server.group.consumer;

import io.sluice.server.config.ConfigException;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import java.util.List;

/**
 * Settings of KIP-848 consumer groups, with Kafka's names, defaults and cross-checks
 * (GroupCoordinatorConfig; ServerConfig checks the min/max bounds at parse). Immutable, thread-safe.
 *
 * @param sessionTimeoutMs    group.consumer.session.timeout.ms (45000)
 * @param heartbeatIntervalMs group.consumer.heartbeat.interval.ms (5000), below the session
 * @param maxSize             group.consumer.max.size (Integer.MAX_VALUE)
 * @param assignors           group.consumer.assignors ("uniform", "range"): the first is the default
 * @param enabled             whether group.coordinator.rebalance.protocols names consumer (the default)
 * @param migrationPolicy     group.consumer.migration.policy (bidirectional): live groups converted between
 *                            the protocols (KIP-848)
 */
public record ConsumerGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, List<String> assignors,
                                  boolean enabled, MigrationPolicy migrationPolicy) {

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
        return new ConsumerGroupConfig(45_000, 5000, Integer.MAX_VALUE, List.of("uniform", "range"), true,
                MigrationPolicy.BIDIRECTIONAL);
    }

    /** The settings from server.properties (their bounds were checked when it was parsed). */
    public static ConsumerGroupConfig from(ServerConfig c) {
        return new ConsumerGroupConfig(c.getInt(ServerConfigDef.GROUP_CONSUMER_SESSION_TIMEOUT_MS),
                c.getInt(ServerConfigDef.GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS), c.getInt(ServerConfigDef.GROUP_CONSUMER_MAX_SIZE),
                c.list(ServerConfigDef.GROUP_CONSUMER_ASSIGNORS),
                c.list(ServerConfigDef.GROUP_COORDINATOR_REBALANCE_PROTOCOLS).contains("consumer"),
                MigrationPolicy.parse(c.getString(ServerConfigDef.GROUP_CONSUMER_MIGRATION_POLICY)));
    }

    public ConsumerGroupConfig withTimeouts(int sessionMs, int heartbeatMs) {
        return new ConsumerGroupConfig(sessionMs, heartbeatMs, maxSize, assignors, enabled, migrationPolicy);
    }

    public ConsumerGroupConfig withMaxSize(int n) {
        return new ConsumerGroupConfig(sessionTimeoutMs, heartbeatIntervalMs, n, assignors, enabled, migrationPolicy);
    }

    public ConsumerGroupConfig withMigrationPolicy(MigrationPolicy p) {
        return new ConsumerGroupConfig(sessionTimeoutMs, heartbeatIntervalMs, maxSize, assignors, enabled, p);
    }

    public String defaultAssignor() {
        return assignors.get(0);
    }
}
