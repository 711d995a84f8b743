package io.sluice.server.group.share;

import io.sluice.server.config.ConfigException;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;

/**
 * Share group (KIP-932) settings, with Kafka's names and defaults (GroupCoordinatorConfig,
 * ShareGroupConfig, ShareCoordinatorConfig). Immutable, thread-safe.
 *
 * @param sessionTimeoutMs          group.share.session.timeout.ms (45000)
 * @param heartbeatIntervalMs       group.share.heartbeat.interval.ms (5000)
 * @param groupMaxSize              group.share.max.size (200)
 * @param recordLockDurationMs      group.share.record.lock.duration.ms (30000)
 * @param deliveryCountLimit        group.share.delivery.count.limit (5)
 * @param partitionMaxRecordLocks   group.share.partition.max.record.locks (2000)
 * @param maxShareSessions          group.share.max.share.sessions (2000)
 * @param stateTopicNumPartitions   share.coordinator.state.topic.num.partitions (50)
 * @param stateTopicReplicationFactor share.coordinator.state.topic.replication.factor (3)
 * @param stateTopicSegmentBytes    share.coordinator.state.topic.segment.bytes (104857600)
 * @param stateTopicCompressionCodec share.coordinator.state.topic.compression.codec (0: none), a Kafka CompressionType id
 */
public record ShareGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, int groupMaxSize,
                               int recordLockDurationMs, int deliveryCountLimit, int partitionMaxRecordLocks,
                               int maxShareSessions, int stateTopicNumPartitions, short stateTopicReplicationFactor,
                               int stateTopicSegmentBytes, int stateTopicCompressionCodec) {

    public static final String STATE_TOPIC = "__share_group_state";

    /** Kafka's defaults (unit tests). */
    public static ShareGroupConfig defaults() {
        return new ShareGroupConfig(45_000, 5000, 200, 30_000, 5, 2000, 2000, 50, (short) 3, 104_857_600, 0);
    }

    /** The settings from server.properties; a heartbeat interval not below the session timeout fails the start. */
    public static ShareGroupConfig from(ServerConfig c) {
        ShareGroupConfig s = new ShareGroupConfig(c.getInt(ServerConfigDef.GROUP_SHARE_SESSION_TIMEOUT_MS),
                c.getInt(ServerConfigDef.GROUP_SHARE_HEARTBEAT_INTERVAL_MS),
                c.getInt(ServerConfigDef.GROUP_SHARE_MAX_SIZE),
                c.getInt(ServerConfigDef.GROUP_SHARE_RECORD_LOCK_DURATION_MS),
                c.getInt(ServerConfigDef.GROUP_SHARE_DELIVERY_COUNT_LIMIT),
                c.getInt(ServerConfigDef.GROUP_SHARE_PARTITION_MAX_RECORD_LOCKS),
                c.getInt(ServerConfigDef.GROUP_SHARE_MAX_SHARE_SESSIONS),
                c.getInt(ServerConfigDef.SHARE_STATE_TOPIC_NUM_PARTITIONS),
                (short) c.getInt(ServerConfigDef.SHARE_STATE_TOPIC_REPLICATION_FACTOR),
                c.getInt(ServerConfigDef.SHARE_STATE_TOPIC_SEGMENT_BYTES),
                c.getInt(ServerConfigDef.SHARE_STATE_TOPIC_COMPRESSION_CODEC));
        if (s.heartbeatIntervalMs >= s.sessionTimeoutMs) {
            // Kafka's GroupCoordinatorConfig requires the same.
            throw new ConfigException(ServerConfigDef.GROUP_SHARE_HEARTBEAT_INTERVAL_MS + " must be less than "
                    + ServerConfigDef.GROUP_SHARE_SESSION_TIMEOUT_MS);
        }
        return s;
    }
}
