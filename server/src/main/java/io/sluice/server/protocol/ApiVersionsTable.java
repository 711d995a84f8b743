package io.sluice.server.protocol;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The (api key, version range) pairs Sluice really serves, and the only source of the
 * ApiVersions response. Never derived from the kafka-clients jar's {@code ApiKeys}: a jar upgrade
 * must not advertise versions no handler has been written or tested for.
 *
 * <p>Every advertised minimum is what a Kafka 4.4 broker advertises, measured (the test resource
 * kafka-4.4-api-versions.txt, checked by ProtocolCompatibilityTest), and no maximum exceeds
 * Kafka's: clients decide from these ranges what a broker can do (librdkafka picks its compression
 * codecs from Produce's range, KAFKA-18659), so a range that differs from Kafka's makes a client
 * behave differently against Sluice than against Kafka. Immutable and thread-safe.
 */
public final class ApiVersionsTable {

    /**
     * One advertised API: its key, the inclusive version range served, and the minimum put in the
     * ApiVersions response, which is below {@code minVersion} only where Kafka advertises versions
     * it refuses (Produce v0-2, see {@link #sluice()}).
     */
    public record Range(short apiKey, String name, short advertisedMinVersion, short minVersion, short maxVersion) {
        public boolean contains(short version) {
            return version >= minVersion && version <= maxVersion;
        }
    }

    public static final short PRODUCE = 0;
    public static final short FETCH = 1;
    public static final short LIST_OFFSETS = 2;
    public static final short METADATA = 3;
    public static final short API_VERSIONS = 18;
    public static final short CREATE_TOPICS = 19;
    public static final short DELETE_TOPICS = 20;
    public static final short DELETE_RECORDS = 21;
    public static final short INIT_PRODUCER_ID = 22;
    public static final short OFFSET_FOR_LEADER_EPOCH = 23;
    public static final short DESCRIBE_CONFIGS = 32;
    public static final short ALTER_CONFIGS = 33;
    public static final short CREATE_PARTITIONS = 37;
    public static final short ELECT_LEADERS = 43;
    public static final short INCREMENTAL_ALTER_CONFIGS = 44;
    public static final short DESCRIBE_CLIENT_QUOTAS = 48;
    public static final short ALTER_CLIENT_QUOTAS = 49;
    public static final short DESCRIBE_USER_SCRAM_CREDENTIALS = 50;
    public static final short DESCRIBE_QUORUM = 55;
    public static final short UPDATE_FEATURES = 57;
    public static final short DESCRIBE_CLUSTER = 60;
    public static final short DESCRIBE_TOPIC_PARTITIONS = 75;

    private final Map<Short, Range> ranges;

    private ApiVersionsTable(Map<Short, Range> ranges) {
        this.ranges = Collections.unmodifiableMap(ranges);
    }

    /** The table of this build of Sluice. */
    public static ApiVersionsTable sluice() {
        Map<Short, Range> m = new TreeMap<>();
        // Kafka 4.x refuses Produce v0-2 (KIP-896) but still advertises v0: librdkafka enables
        // gzip, snappy and lz4 only when the broker's Produce range starts at v0 (KAFKA-18659).
        // A v0-2 request closes the connection, as in Kafka (KafkaCodec).
        m.put(PRODUCE, new Range(PRODUCE, "Produce", (short) 0, (short) 3, (short) 13));
        put(m, FETCH, "Fetch", 4, 18);
        put(m, LIST_OFFSETS, "ListOffsets", 1, 10);
        put(m, METADATA, "Metadata", 0, 13);
        put(m, API_VERSIONS, "ApiVersions", 0, 5);
        put(m, CREATE_TOPICS, "CreateTopics", 2, 7);
        put(m, DELETE_TOPICS, "DeleteTopics", 1, 6);
        put(m, DELETE_RECORDS, "DeleteRecords", 0, 2);
        put(m, INIT_PRODUCER_ID, "InitProducerId", 0, 5);
        put(m, OFFSET_FOR_LEADER_EPOCH, "OffsetForLeaderEpoch", 2, 4);
        put(m, DESCRIBE_CONFIGS, "DescribeConfigs", 1, 4);
        put(m, ALTER_CONFIGS, "AlterConfigs", 0, 2);
        put(m, CREATE_PARTITIONS, "CreatePartitions", 0, 3);
        put(m, ELECT_LEADERS, "ElectLeaders", 0, 2);
        put(m, INCREMENTAL_ALTER_CONFIGS, "IncrementalAlterConfigs", 0, 1);
        put(m, DESCRIBE_CLIENT_QUOTAS, "DescribeClientQuotas", 0, 1);
        put(m, ALTER_CLIENT_QUOTAS, "AlterClientQuotas", 0, 1);
        put(m, DESCRIBE_USER_SCRAM_CREDENTIALS, "DescribeUserScramCredentials", 0, 0);
        put(m, DESCRIBE_QUORUM, "DescribeQuorum", 0, 2);
        put(m, UPDATE_FEATURES, "UpdateFeatures", 0, 2);
        put(m, DESCRIBE_CLUSTER, "DescribeCluster", 0, 2);
        put(m, DESCRIBE_TOPIC_PARTITIONS, "DescribeTopicPartitions", 0, 0);
        // Group coordinator (io.sluice.server.group), classic protocol.
        put(m, (short) 8, "OffsetCommit", 2, 10);
        put(m, (short) 9, "OffsetFetch", 1, 10);
        put(m, (short) 10, "FindCoordinator", 0, 6);
        put(m, (short) 11, "JoinGroup", 0, 9);
        put(m, (short) 12, "Heartbeat", 0, 4);
        put(m, (short) 13, "LeaveGroup", 0, 5);
        put(m, (short) 14, "SyncGroup", 0, 5);
        put(m, (short) 15, "DescribeGroups", 0, 6);
        put(m, (short) 16, "ListGroups", 0, 5);
        put(m, (short) 42, "DeleteGroups", 0, 3);
        put(m, (short) 47, "OffsetDelete", 0, 0);
        // KIP-848 consumer groups (io.sluice.server.group.consumer).
        put(m, (short) 68, "ConsumerGroupHeartbeat", 0, 1);
        put(m, (short) 69, "ConsumerGroupDescribe", 0, 1);
        // Share groups (io.sluice.server.group.share), KIP-932.
        put(m, (short) 76, "ShareGroupHeartbeat", 1, 1);
        put(m, (short) 77, "ShareGroupDescribe", 1, 1);
        put(m, (short) 78, "ShareFetch", 1, 2);
        put(m, (short) 79, "ShareAcknowledge", 1, 2);
        put(m, (short) 83, "InitializeShareGroupState", 0, 0);
        put(m, (short) 84, "ReadShareGroupState", 0, 0);
        put(m, (short) 85, "WriteShareGroupState", 0, 1);
        put(m, (short) 86, "DeleteShareGroupState", 0, 0);
        put(m, (short) 87, "ReadShareGroupStateSummary", 0, 1);
        put(m, (short) 90, "DescribeShareGroupOffsets", 0, 1);
        put(m, (short) 91, "AlterShareGroupOffsets", 0, 0);
        put(m, (short) 92, "DeleteShareGroupOffsets", 0, 0);
        return new ApiVersionsTable(m);
    }

    private static void put(Map<Short, Range> m, short key, String name, int min, int max) {
        m.put(key, new Range(key, name, (short) min, (short) min, (short) max));
    }

    /** @return the range for {@code apiKey}, or null when Sluice does not implement it. */
    public Range range(short apiKey) {
        return ranges.get(apiKey);
    }

    public boolean isSupported(short apiKey, short version) {
        Range r = ranges.get(apiKey);
        return r != null && r.contains(version);
    }

    /** All advertised ranges in api key order. */
    public Iterable<Range> all() {
        return ranges.values();
    }
}
