package io.sluice.server.group;

import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.group.consumer.ConsumerGroupConfig;

/**
 * The group coordinator's settings, with Kafka's names and defaults (GroupCoordinatorConfig).
 * Immutable, thread-safe.
 *
 * @param minSessionTimeoutMs        group.min.session.timeout.ms (6000)
 * @param maxSessionTimeoutMs        group.max.session.timeout.ms (1800000)
 * @param initialRebalanceDelayMs    group.initial.rebalance.delay.ms (3000)
 * @param groupMaxSize               group.max.size (Integer.MAX_VALUE)
 * @param newMemberJoinTimeoutMs     how long a new member may take to join (Kafka: 300000, not a setting)
 * @param offsetMetadataMaxBytes     offset.metadata.max.bytes (4096)
 * @param offsetsRetentionMs         offsets.retention.minutes (10080) in ms
 * @param offsetsRetentionCheckIntervalMs offsets.retention.check.interval.ms (600000)
 * @param offsetsTopicNumPartitions  offsets.topic.num.partitions (50)
 * @param offsetsTopicReplicationFactor offsets.topic.replication.factor (3; capped at the live brokers)
 * @param offsetsTopicSegmentBytes   offsets.topic.segment.bytes (104857600)
 * @param offsetsTopicCompressionCodec offsets.topic.compression.codec (0: none), a Kafka CompressionType id
 * @param consumer                   the KIP-848 consumer group settings (group.consumer.*)
 */
public record GroupConfig(int minSessionTimeoutMs, int maxSessionTimeoutMs, int initialRebalanceDelayMs,
                          int groupMaxSize, int newMemberJoinTimeoutMs, int offsetMetadataMaxBytes,
                          long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs,
                          int offsetsTopicNumPartitions, short offsetsTopicReplicationFactor,
                          int offsetsTopicSegmentBytes, int offsetsTopicCompressionCodec,
                          ConsumerGroupConfig consumer) {

    public static final String OFFSETS_TOPIC = "__consumer_offsets";

    /** Kafka's defaults. */
    public static GroupConfig defaults() {
        return new GroupConfig(6000, 1_800_000, 3000, Integer.MAX_VALUE, 300_000, 4096,
                10080L * 60_000L, 600_000L, 50, (short) 3, 104_857_600, 0,
                ConsumerGroupConfig.defaults());
    }

    /** The settings from server.properties. */
    public static GroupConfig from(ServerConfig c) {
        return new GroupConfig(c.getInt(ServerConfigDef.GROUP_MIN_SESSION_TIMEOUT_MS),
                c.getInt(ServerConfigDef.GROUP_MAX_SESSION_TIMEOUT_MS),
                c.getInt(ServerConfigDef.GROUP_INITIAL_REBALANCE_DELAY_MS),
                c.getInt(ServerConfigDef.GROUP_MAX_SIZE), 300_000,
                c.getInt(ServerConfigDef.OFFSET_METADATA_MAX_BYTES),
                c.getInt(ServerConfigDef.OFFSETS_RETENTION_MINUTES) * 60_000L,
                c.getLong(ServerConfigDef.OFFSETS_RETENTION_CHECK_INTERVAL_MS),
                c.getInt(ServerConfigDef.OFFSETS_TOPIC_NUM_PARTITIONS),
                (short) c.getInt(ServerConfigDef.OFFSETS_TOPIC_REPLICATION_FACTOR),
                c.getInt(ServerConfigDef.OFFSETS_TOPIC_SEGMENT_BYTES),
                c.getInt(ServerConfigDef.OFFSETS_TOPIC_COMPRESSION_CODEC), ConsumerGroupConfig.from(c));
    }

    public GroupConfig withInitialRebalanceDelayMs(int ms) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, ms, groupMaxSize, newMemberJoinTimeoutMs,
                offsetMetadataMaxBytes, offsetsRetentionMs, offsetsRetentionCheckIntervalMs, offsetsTopicNumPartitions,
                offsetsTopicReplicationFactor, offsetsTopicSegmentBytes, offsetsTopicCompressionCodec, consumer);
    }

    public GroupConfig withGroupMaxSize(int n) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, n,
                newMemberJoinTimeoutMs, offsetMetadataMaxBytes, offsetsRetentionMs, offsetsRetentionCheckIntervalMs,
                offsetsTopicNumPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes,
                offsetsTopicCompressionCodec, consumer);
    }

    public GroupConfig withOffsetsRetentionMs(long ms) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, groupMaxSize,
                newMemberJoinTimeoutMs, offsetMetadataMaxBytes, ms, offsetsRetentionCheckIntervalMs,
                offsetsTopicNumPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes,
                offsetsTopicCompressionCodec, consumer);
    }

    public GroupConfig withConsumer(ConsumerGroupConfig c) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, groupMaxSize,
                newMemberJoinTimeoutMs, offsetMetadataMaxBytes, offsetsRetentionMs, offsetsRetentionCheckIntervalMs,
                offsetsTopicNumPartitions, offsetsTopicReplicationFactor, offsetsTopicSegmentBytes,
                offsetsTopicCompressionCodec, c);
    }

    /** Kafka's Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions. */
    public int partitionFor(String groupId) {
        int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % offsetsTopicNumPartitions;
    }
}
