package io.sluice.bench.broker.workload;

import java.util.Map;

/**
 * How the workloads' topics are replicated; the same for both systems in a run. Immutable.
 *
 * @param factor           replication factor of every topic the harness creates
 * @param minInsyncReplicas the topic's {@code min.insync.replicas}, or 0 to leave the broker's default
 */
public record Replication(short factor, int minInsyncReplicas) {
    /** A single node: replication factor 1, the broker's defaults. */
    public static final Replication NONE = new Replication((short) 1, 0);

    /** A cluster of {@code nodes}: every node a replica, acks=all needs all but one of them. */
    public static Replication acrossAll(int nodes) {
        return new Replication((short) nodes, Math.max(1, nodes - 1));
    }

    /** Topic configs to create topics with. */
    public Map<String, String> topicConfigs() {
        return minInsyncReplicas > 0 ? Map.of("min.insync.replicas", Integer.toString(minInsyncReplicas)) : Map.of();
    }
}
