package io.sluice.metadata.node;

import java.util.List;
import java.util.Optional;

/**
 * The metadata quorum as one node sees it, in the terms of Kafka's DescribeQuorum (KIP-595): the
 * leader and its epoch (the Raft term), the high watermark (the commit index), and per voter how
 * far its log reaches. Only the leader tracks its followers; elsewhere a voter's progress is
 * unknown ({@link #UNKNOWN}) except this node's own. Immutable, thread-safe.
 *
 * @param leaderId      the leader's node id, if one is known
 * @param leaderEpoch   the current term
 * @param highWatermark the commit index this node knows, or {@link #UNKNOWN}
 * @param fromLeader    whether this node is the leader (the voters' progress is then the leader's view)
 * @param voters        every voter, in {@code controller.quorum.voters} order
 */
public record QuorumStatus(Optional<Integer> leaderId, long leaderEpoch, long highWatermark, boolean fromLeader,
                           List<VoterProgress> voters) {
    /** Kafka's value for an offset or a time the answering node does not know. */
    public static final long UNKNOWN = -1;

    public QuorumStatus {
        voters = List.copyOf(voters);
    }

    /**
     * @param voter             the voter (id, controller host and port)
     * @param logEndOffset      the last index of its log (the leader's match index for a follower), or {@link #UNKNOWN}
     * @param lastFetchMs       wall-clock time of the leader's last exchange with it, or {@link #UNKNOWN}
     * @param lastCaughtUpMs    wall-clock time it last held everything the leader had, or {@link #UNKNOWN}
     */
    public record VoterProgress(QuorumVoter voter, long logEndOffset, long lastFetchMs, long lastCaughtUpMs) { }
}
