package io.sluice.replication.role;

/**
 * A follower of {@code leaderId} at {@code leaderEpoch}: it appends only what the leader's fetch
 * responses carry and learns the high watermark from them (consumers it serves under KIP-392 read
 * below that high watermark). {@code leaderId} is -1 while the
 * partition has no leader (the follower then waits for the quorum). Immutable.
 */
public record FollowerRole(int leaderId, int leaderEpoch) implements ReplicaRole { }
