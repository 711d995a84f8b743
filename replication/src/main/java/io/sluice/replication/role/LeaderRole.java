package io.sluice.replication.role;

import io.sluice.replication.selector.ReplicaView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This broker leads the partition at {@code leaderEpoch}. It tracks what each follower has (from
 * the offsets of their fetches) and the ISR, and decides how far the high watermark may go: to the
 * smallest log end offset in the ISR, and not at all while the ISR is smaller than
 * min.insync.replicas (Kafka's strict min ISR), so an acknowledged acks=all write is always on
 * enough replicas to survive a leader loss.
 *
 * <p>ISR changes go through the quorum (AlterPartition); while one is in flight the high watermark
 * is computed over the union of the old and the proposed ISR (Kafka's "maximal ISR"), so neither
 * an expansion nor a shrink can let it run ahead of a replica that may still be in the ISR.
 * Thread-safe: every method is synchronized on the role.
 */
public final class LeaderRole implements ReplicaRole {

    /** What the leader knows of one follower, from its fetches. */
    private static final class Progress {
        long logEndOffset = -1;
        long logStartOffset = -1;
        long brokerEpoch = -1;
        long lastCaughtUpTimeMs;
        long lastFetchTimeMs;
        long leaderEndOffsetAtLastFetch = -1;
    }

    /** How long a refused ISR change waits before it is proposed again (the metadata catches up meanwhile). */
    public static final long PROPOSAL_RETRY_BACKOFF_MS = 500;

    private final int leaderId;
    private final int leaderEpoch;
    private final long epochStartOffset;
    private final int[] replicas;
    private final Map<Integer, Progress> followers = new HashMap<>();
    private int[] isr;
    private int partitionEpoch;
    /** The ISR proposed to the quorum and not answered yet, or null. */
    private int[] pendingIsr;
    /** After a refused proposal (e.g. the follower is still fenced), none before this time. */
    private long noProposalBeforeMs;

    public LeaderRole(int leaderId, int leaderEpoch, int partitionEpoch, long epochStartOffset, int[] replicas,
                      int[] isr, long nowMs) {
        this.leaderId = leaderId;
        this.leaderEpoch = leaderEpoch;
        this.partitionEpoch = partitionEpoch;
        this.epochStartOffset = epochStartOffset;
        this.replicas = replicas.clone();
        this.isr = isr.clone();
        for (int r : replicas) {
            if (r != leaderId) {
                Progress p = new Progress();
                // A new leader gives its ISR one lag period to show up (as Kafka resets lastCaughtUpTime).
                p.lastCaughtUpTimeMs = nowMs;
                followers.put(r, p);
            }
        }
    }

    @Override
    public int leaderEpoch() {
        return leaderEpoch;
    }

    @Override
    public int leaderId() {
        return leaderId;
    }

    /** The log end offset when this epoch began: data below it may be from an older epoch and uncommitted. */
    public long epochStartOffset() {
        return epochStartOffset;
    }

    public synchronized int partitionEpoch() {
        return partitionEpoch;
    }

    /** The ISR as the quorum committed it. */
    public synchronized int[] isr() {
        return isr.clone();
    }

    public synchronized int isrSize() {
        return isr.length;
    }

    /**
     * A follower fetched from {@code fetchOffset}: it has everything below it. It counts as caught
     * up now if it asked for the leader's end, or as of its previous fetch if it reached the end the
     * leader had then (Kafka's rule, so a follower under steady load is not mistaken for a laggard).
     */
    public synchronized void recordFetch(int replicaId, long brokerEpoch, long fetchOffset, long followerLogStartOffset,
                                         long leaderEndOffset, long nowMs) {
        Progress p = followers.get(replicaId);
        if (p == null) {
            return;
        }
        if (fetchOffset >= leaderEndOffset) {
            p.lastCaughtUpTimeMs = nowMs;
        } else if (p.leaderEndOffsetAtLastFetch >= 0 && fetchOffset >= p.leaderEndOffsetAtLastFetch) {
            p.lastCaughtUpTimeMs = Math.max(p.lastCaughtUpTimeMs, p.lastFetchTimeMs);
        }
        p.logEndOffset = fetchOffset;
        p.logStartOffset = followerLogStartOffset;
        p.brokerEpoch = brokerEpoch;
        p.leaderEndOffsetAtLastFetch = leaderEndOffset;
        p.lastFetchTimeMs = nowMs;
    }

    /**
     * How far the high watermark may go given the leader's own end: the smallest end offset in the
     * maximal ISR; -1 while it is smaller than {@code minInsyncReplicas} or a member's end is unknown.
     */
    public synchronized long highWatermarkBound(long leaderEndOffset, int minInsyncReplicas) {
        int[] maximal = maximalIsr();
        if (maximal.length < minInsyncReplicas) {
            return -1;
        }
        long bound = leaderEndOffset;
        for (int r : maximal) {
            if (r == leaderId) {
                continue;
            }
            Progress p = followers.get(r);
            if (p == null || p.logEndOffset < 0) {
                return -1;
            }
            bound = Math.min(bound, p.logEndOffset);
        }
        return bound;
    }

    /**
     * Every follower as its last fetch tells (end offset, or -1 before its first fetch) and how long
     * since it was last caught up: for the replication lag metrics.
     */
    public synchronized List<ReplicaView> followers(long nowMs) {
        List<ReplicaView> out = new ArrayList<>(followers.size());
        followers.forEach((id, p) -> out.add(new ReplicaView(id, null, p.logEndOffset,
                Math.max(0, nowMs - p.lastCaughtUpTimeMs))));
        return out;
    }

    /**
     * The followers a consumer fetching {@code fetchOffset} may be sent to (KIP-392): members of the
     * committed ISR whose log holds the offset, as far as their last fetch tells. Out-of-sync
     * replicas are left out, as in Kafka: a lagging follower would keep its consumers behind.
     * Their rack is left null for the caller to fill in.
     */
    public synchronized List<ReplicaView> readReplicaCandidates(long fetchOffset, long nowMs) {
        List<ReplicaView> out = new ArrayList<>(isr.length);
        for (int r : isr) {
            Progress p = followers.get(r);
            if (p != null && p.logEndOffset >= fetchOffset && p.logStartOffset <= fetchOffset) {
                out.add(new ReplicaView(r, null, p.logEndOffset, Math.max(0, nowMs - p.lastCaughtUpTimeMs)));
            }
        }
        return out;
    }

    /**
     * The ISR to propose when {@code follower}, which just fetched, caught up outside it: its end is
     * at least the high watermark and this epoch's start (so it holds everything this leader may
     * have committed). As Kafka's {@code maybeExpandIsr}, only the fetching follower is considered:
     * another one's last fetch may be from before it died. Null when there is nothing to add or a
     * change is in flight.
     */
    public synchronized IsrProposal expansion(int follower, long highWatermark, long nowMs) {
        if (pendingIsr != null || nowMs < noProposalBeforeMs || contains(isr, follower) || !contains(replicas, follower)) {
            return null;
        }
        Progress caughtUp = followers.get(follower);
        if (caughtUp == null || caughtUp.logEndOffset < highWatermark || caughtUp.logEndOffset < epochStartOffset) {
            return null;
        }
        int[] next = Arrays.copyOf(isr, isr.length + 1);
        next[isr.length] = follower;
        long[] epochs = new long[next.length];
        for (int i = 0; i < next.length; i++) {
            Progress p = followers.get(next[i]);
            epochs[i] = p == null ? -1 : p.brokerEpoch;
        }
        pendingIsr = next;
        return new IsrProposal(leaderEpoch, partitionEpoch, next, epochs);
    }

    /**
     * The ISR to propose when members have not caught up for {@code lagTimeMaxMs}
     * ({@code replica.lag.time.max.ms}); null when all are in step or a change is in flight.
     */
    public synchronized IsrProposal shrink(long nowMs, long lagTimeMaxMs) {
        if (pendingIsr != null || nowMs < noProposalBeforeMs) {
            return null;
        }
        int[] next = Arrays.stream(isr).filter(r -> {
            Progress p = followers.get(r);
            return p == null || nowMs - p.lastCaughtUpTimeMs <= lagTimeMaxMs;
        }).toArray();
        if (next.length == isr.length) {
            return null;
        }
        pendingIsr = next;
        long[] epochs = new long[next.length];
        Arrays.fill(epochs, -1);
        return new IsrProposal(leaderEpoch, partitionEpoch, next, epochs);
    }

    /** The quorum's ISR for this epoch (a committed AlterPartition or a controller's change). */
    public synchronized void onIsrCommitted(int[] committedIsr, int committedPartitionEpoch) {
        if (committedPartitionEpoch >= partitionEpoch) {
            isr = committedIsr.clone();
            partitionEpoch = committedPartitionEpoch;
            pendingIsr = null;
        }
    }

    /** The proposal was refused or lost: the next check after {@link #PROPOSAL_RETRY_BACKOFF_MS} may propose again. */
    public synchronized void onProposalFailed(long nowMs) {
        pendingIsr = null;
        noProposalBeforeMs = nowMs + PROPOSAL_RETRY_BACKOFF_MS;
    }

    private int[] maximalIsr() {
        if (pendingIsr == null) {
            return isr;
        }
        int[] union = Arrays.copyOf(isr, isr.length + pendingIsr.length);
        int n = isr.length;
        for (int r : pendingIsr) {
            if (!contains(isr, r)) {
                union[n++] = r;
            }
        }
        return Arrays.copyOf(union, n);
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    /** An AlterPartition to send: the guards (epochs) and the new ISR with its members' broker epochs (KIP-903). */
    public record IsrProposal(int leaderEpoch, int partitionEpoch, int[] newIsr, long[] brokerEpochs) { }

    @Override
    public synchronized String toString() {
        return "Leader{epoch=" + leaderEpoch + " isr=" + Arrays.toString(isr)
                + (pendingIsr == null ? "" : " pending=" + Arrays.toString(pendingIsr)) + "}";
    }
}
