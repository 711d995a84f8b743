package io.sluice.replication.role;

/**
 * What this broker is for one partition at one leader epoch: its leader, or a follower of
 * another broker. A role object is replaced, never mutated into the other kind, when the metadata
 * quorum moves leadership; the epoch it carries fences everything that was started under the
 * previous one.
 */
public sealed interface ReplicaRole permits LeaderRole, FollowerRole {

    int leaderEpoch();

    /** The leader's broker id (this broker's for a {@link LeaderRole}); -1 when the partition has none. */
    int leaderId();
}
