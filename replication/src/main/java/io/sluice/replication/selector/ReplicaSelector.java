package io.sluice.replication.selector;

import java.util.List;

/**
 * Chooses the replica a consumer should read from (KIP-392, {@code replica.selector.class}). Sluice
 * loads no plugin classes: a configured class name maps to one of these built-in implementations
 * ({@link #forClassName}), and any other name is refused, so a setting is never accepted and then
 * ignored. Implementations are stateless and thread-safe.
 */
public interface ReplicaSelector {

    /** Kafka's rack-aware selector; {@link RackAwareReplicaSelector} implements its semantics. */
    String RACK_AWARE_CLASS_NAME = "org.apache.kafka.common.replica.RackAwareReplicaSelector";

    /**
     * The replica to read from.
     *
     * @param clientRack the consumer's {@code client.rack} (Fetch v11+ {@code rack_id}); may be empty
     * @param leader     the leader itself
     * @param followers  in-sync followers that hold the fetch offset and can be reached on the client's listener
     * @return one of {@code leader} and {@code followers}
     */
    ReplicaView select(String clientRack, ReplicaView leader, List<ReplicaView> followers);

    /**
     * True when {@link #select} would pick the leader whatever the followers are, so the Fetch path
     * can skip gathering them; false when unsure.
     */
    default boolean picksLeader(String clientRack, String leaderRack) {
        return false;
    }

    /**
     * The selector a {@code replica.selector.class} names: null for no class (Kafka's default, every
     * consumer reads from the leader).
     *
     * @throws IllegalArgumentException for a class Sluice does not implement
     */
    static ReplicaSelector forClassName(String className) {
        if (className == null) {
            return null;
        }
        if (RACK_AWARE_CLASS_NAME.equals(className)) {
            return new RackAwareReplicaSelector();
        }
        throw new IllegalArgumentException("replica.selector.class " + className
                + " is not supported: Sluice loads no plugin classes and implements only " + RACK_AWARE_CLASS_NAME);
    }
}
