package io.sluice.replication.selector;

/**
 * One replica a consumer could be sent to read from, as the partition's leader sees it (KIP-392's
 * {@code ReplicaView}). Immutable.
 *
 * @param brokerId                the replica's broker
 * @param rack                    its {@code broker.rack}, null when unset
 * @param logEndOffset            its log end offset as the leader knows it (a follower's last fetch offset)
 * @param timeSinceLastCaughtUpMs how long since it was last caught up with the leader; 0 for the leader
 */
public record ReplicaView(int brokerId, String rack, long logEndOffset, long timeSinceLastCaughtUpMs) {

    /** True when this replica is more caught up than {@code other}: Kafka's {@code ReplicaView.comparator()} order. */
    boolean moreCaughtUpThan(ReplicaView other) {
        if (logEndOffset != other.logEndOffset) {
            return logEndOffset > other.logEndOffset;
        }
        if (timeSinceLastCaughtUpMs != other.timeSinceLastCaughtUpMs) {
            return timeSinceLastCaughtUpMs < other.timeSinceLastCaughtUpMs;
        }
        // The last tie-break only makes the choice deterministic; Kafka's takes the higher id.
        return brokerId > other.brokerId;
    }
}
