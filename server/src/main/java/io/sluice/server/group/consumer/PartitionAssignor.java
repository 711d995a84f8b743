package io.sluice.server.group.consumer;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * A server-side assignor of KIP-848 consumer groups ({@code group.consumer.assignors}): from the
 * members' subscriptions and the topics' partition counts, the target assignment. Implementations
 * are stateless and thread-safe; the result is deterministic for the same input.
 */
public interface PartitionAssignor {

    String name();

    /**
     * @param subscriptions   member id -> ids of the topics it subscribes to (existing topics only)
     * @param partitionCounts topic id -> its number of partitions
     * @param current         the previous target assignment (for stickiness), member id -> partitions
     * @return member id -> partitions, every member present (possibly with nothing)
     */
    Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitionCounts,
                                                Map<String, Map<Uuid, Set<Integer>>> current);

    /** The assignor of a {@code group.consumer.assignors} name, or null for an unknown one. */
    static PartitionAssignor named(String name) {
        return switch (name) {
            case UniformAssignor.NAME -> new UniformAssignor();
            case RangeAssignor.NAME -> new RangeAssignor();
            default -> null;
        };
    }
}
