package io.sluice.server.tools.status;

import java.util.List;

/**
 * What {@code bin/sluice status} shows, gathered once: from the Admin API (brokers, quorum,
 * partitions, groups and their lag) and from each broker's metrics endpoint (log dirs, bytes in and
 * out, lag verdicts). Immutable.
 *
 * @param unread what could not be read, and why (an endpoint down, a call timed out)
 */
record ClusterStatus(String clusterId, int controllerId, List<Broker> brokers, Quorum quorum, Partitions partitions,
                     List<LogDir> logDirs, List<TopicTraffic> topTopics, List<Group> groups, List<String> unread) {

    record Broker(int id, String endpoint, String rack, boolean fenced, String metricsUrl) { }

    record Voter(int id, long logEndOffset, long lagRecords, long caughtUpAgoMs) { }

    record Quorum(int leaderId, long leaderEpoch, long highWatermark, List<Voter> voters) { }

    /** Partition counts, and the names of the unhealthy ones ("topic-partition"). */
    record Partitions(int total, List<String> underReplicated, List<String> underMinIsr, List<String> offline) { }

    record LogDir(int brokerId, String dir, boolean online) { }

    record TopicTraffic(String topic, double bytesIn, double bytesOut) { }

    /** @param verdict the broker's lag verdict, or null where it gave none */
    record Group(String groupId, String type, String state, long lagRecords, String verdict) { }
}
