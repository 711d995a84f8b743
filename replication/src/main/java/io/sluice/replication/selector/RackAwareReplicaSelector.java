package io.sluice.replication.selector;

import java.util.List;

/**
 * The semantics of Kafka's {@code RackAwareReplicaSelector} (KIP-392): a consumer that names its
 * rack reads from a replica in that rack. The leader wins when it is in the rack (it is never
 * behind); otherwise the most caught-up follower there (highest log end offset, then shortest time
 * since it was caught up, then the higher broker id). A consumer without a rack, or in a rack no
 * candidate is in, reads from the leader. Stateless, thread-safe.
 */
public final class RackAwareReplicaSelector implements ReplicaSelector {

    @Override
    public boolean picksLeader(String clientRack, String leaderRack) {
        return clientRack == null || clientRack.isEmpty() || clientRack.equals(leaderRack);
    }

    @Override
    public ReplicaView select(String clientRack, ReplicaView leader, List<ReplicaView> followers) {
        if (picksLeader(clientRack, leader.rack())) {
            return leader;
        }
        ReplicaView best = null;
        for (int i = 0; i < followers.size(); i++) {
            ReplicaView f = followers.get(i);
            if (clientRack.equals(f.rack()) && (best == null || f.moreCaughtUpThan(best))) {
                best = f;
            }
        }
        return best == null ? leader : best;
    }
}
