package io.sluice.server.handler;

/**
 * The replication factor a topic or partition may have until partition replication exists: one.
 * A partition with more replicas would be described as having copies that hold no data, and
 * {@code acks=all} would be acknowledged by one (issue 11, item 2), so CreateTopics and
 * CreatePartitions refuse it with INVALID_REPLICATION_FACTOR. The quorum itself allows any factor
 * its brokers can hold; this limit is the broker's. Stateless.
 */
final class SingleReplica {

    static final int REPLICATION_FACTOR_MAX = 1;

    private SingleReplica() { }

    static String refusal(int replicationFactor) {
        return "Replication factor " + replicationFactor + " is not supported: partition replication is not "
                + "implemented yet, so every partition has exactly " + REPLICATION_FACTOR_MAX + " replica";
    }
}
