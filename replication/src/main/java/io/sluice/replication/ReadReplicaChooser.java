package io.sluice.replication;

import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.replication.role.LeaderRole;
import io.sluice.replication.selector.ReplicaSelector;
import io.sluice.replication.selector.ReplicaView;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's side of KIP-392: which replica a consumer should read from. It gives the configured
 * selector what Kafka's ReplicaManager gives its selector: the leader (its log end, never behind)
 * and the followers of the committed ISR that hold the fetch offset and that the client can reach
 * (registered, unfenced, with an endpoint on the client's listener), with their racks from the
 * metadata image. Owned by the {@link ReplicaManager}; thread-safe (no state of its own).
 */
final class ReadReplicaChooser {

    private final int nodeId;
    private final ReplicaSelector selector;
    private final Supplier<MetadataImage> image;
    private final LongSupplier clockMs;

    ReadReplicaChooser(int nodeId, ReplicaSelector selector, Supplier<MetadataImage> image, LongSupplier clockMs) {
        this.nodeId = nodeId;
        this.selector = selector;
        this.image = image;
        this.clockMs = clockMs;
    }

    /** The broker to send the consumer to, or -1 when the selector picks this leader. */
    int choose(LeaderRole leader, long leaderEndOffset, String clientRack, long fetchOffset, String listenerName) {
        Map<Integer, BrokerRegistration> brokers = image.get().brokers();
        BrokerRegistration self = brokers.get(nodeId);
        String leaderRack = self == null ? null : self.rack().orElse(null);
        if (selector.picksLeader(clientRack, leaderRack)) {
            return -1; // most consumer fetches a leader sees: nothing to gather, nothing allocated
        }
        ReplicaView here = new ReplicaView(nodeId, leaderRack, leaderEndOffset, 0);
        List<ReplicaView> followers = leader.readReplicaCandidates(fetchOffset, clockMs.getAsLong());
        for (int i = followers.size() - 1; i >= 0; i--) {
            ReplicaView f = followers.get(i);
            BrokerRegistration b = brokers.get(f.brokerId());
            if (b == null || b.fenced() || b.endpoint(listenerName).isEmpty()) {
                followers.remove(i);
            } else {
                followers.set(i, new ReplicaView(f.brokerId(), b.rack().orElse(null), f.logEndOffset(),
                        f.timeSinceLastCaughtUpMs()));
            }
        }
        ReplicaView chosen = selector.select(clientRack, here, followers);
        return chosen == here ? -1 : chosen.brokerId();
    }
}
