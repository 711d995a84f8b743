package io.sluice.metadata.image;

import java.util.Arrays;

/**
 * One partition's replication state (Kafka's {@code PartitionRegistration}). Immutable and
 * thread-safe: the int arrays are never handed out, accessors copy or index into them.
 *
 * <p>{@code leaderEpoch} increases on every leader change (including "no leader");
 * {@code partitionEpoch} increases on every change of leader, ISR or replicas and guards
 * AlterPartition (KIP-497/KIP-631).
 */
public final class PartitionImage {
    /** Leader id when the partition has no leader. */
    public static final int NO_LEADER = -1;

    private final int partitionId;
    private final int[] replicas;
    private final int[] isr;
    private final int leader;
    private final int leaderEpoch;
    private final int partitionEpoch;

    public PartitionImage(int partitionId, int[] replicas, int[] isr, int leader, int leaderEpoch,
                          int partitionEpoch) {
        this.partitionId = partitionId;
        this.replicas = replicas.clone();
        this.isr = isr.clone();
        this.leader = leader;
        this.leaderEpoch = leaderEpoch;
        this.partitionEpoch = partitionEpoch;
    }

    public int partitionId() {
        return partitionId;
    }

    /** A copy of the replica list; element 0 is the preferred leader. */
    public int[] replicas() {
        return replicas.clone();
    }

    /** A copy of the in-sync replica set. */
    public int[] isr() {
        return isr.clone();
    }

    public int replicaCount() {
        return replicas.length;
    }

    public int replicaAt(int index) {
        return replicas[index];
    }

    public int isrSize() {
        return isr.length;
    }

    public int isrAt(int index) {
        return isr[index];
    }

    public boolean isReplica(int brokerId) {
        return indexOf(replicas, brokerId) >= 0;
    }

    public boolean inIsr(int brokerId) {
        return indexOf(isr, brokerId) >= 0;
    }

    /** The leader's broker id, or {@link #NO_LEADER}. */
    public int leader() {
        return leader;
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public int partitionEpoch() {
        return partitionEpoch;
    }

    /** A copy with a new leader and ISR: leader epoch + 1 and partition epoch + 1. */
    public PartitionImage withLeader(int newLeader, int[] newIsr) {
        return new PartitionImage(partitionId, replicas, newIsr, newLeader, leaderEpoch + 1, partitionEpoch + 1);
    }

    /** A copy with a new ISR and the same leader: partition epoch + 1 only. */
    public PartitionImage withIsr(int[] newIsr) {
        return new PartitionImage(partitionId, replicas, newIsr, leader, leaderEpoch, partitionEpoch + 1);
    }

    static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PartitionImage p)) {
            return false;
        }
        return partitionId == p.partitionId && leader == p.leader && leaderEpoch == p.leaderEpoch
            && partitionEpoch == p.partitionEpoch && Arrays.equals(replicas, p.replicas)
            && Arrays.equals(isr, p.isr);
    }

    @Override
    public int hashCode() {
        int h = 31 * partitionId + leader;
        h = 31 * h + leaderEpoch;
        h = 31 * h + partitionEpoch;
        h = 31 * h + Arrays.hashCode(replicas);
        return 31 * h + Arrays.hashCode(isr);
    }

    @Override
    public String toString() {
        return "Partition{" + partitionId + " replicas=" + Arrays.toString(replicas) + " isr="
            + Arrays.toString(isr) + " leader=" + leader + " leaderEpoch=" + leaderEpoch
            + " partitionEpoch=" + partitionEpoch + '}';
    }
}
