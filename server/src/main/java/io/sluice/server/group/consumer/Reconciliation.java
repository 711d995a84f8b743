package io.sluice.server.group.consumer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * Moves one member a step towards its target assignment, as Kafka's CurrentAssignmentBuilder
 * (KIP-848 "revoke before assign"): partitions leaving the member are first put in
 * pending-revocation and the member stays at its epoch until its heartbeat no longer reports
 * them; partitions coming to it are given only once no other member owns them (else it waits
 * in UNRELEASED_PARTITIONS at the target epoch). Stateless, thread-safe.
 */
public final class Reconciliation {

    /** Epoch of the member owning a partition, or -1 when it is free. */
    @FunctionalInterface
    public interface PartitionOwnership {
        int epoch(Uuid topicId, int partition);
    }

    private Reconciliation() { }

    /**
     * @param owned the partitions the member's heartbeat says it owns, or null when it did not say
     * @return the member after this step (equal to {@code m} when nothing changes)
     */
    public static ConsumerMember step(ConsumerMember m, int targetEpoch, Map<Uuid, Set<Integer>> target,
                                      Map<Uuid, Set<Integer>> owned, PartitionOwnership ownership) {
        return switch (m.state()) {
            case STABLE -> m.memberEpoch() == targetEpoch ? m
                    : next(m, m.memberEpoch(), m.assigned(), targetEpoch, target, owned, ownership);
            case UNREVOKED_PARTITIONS -> TopicPartitions.intersects(owned, m.pendingRevocation()) ? m
                    : next(m, m.memberEpoch() + 1, m.assigned(), targetEpoch, target, owned, ownership);
            case UNRELEASED_PARTITIONS -> next(m, m.memberEpoch(), m.assigned(), targetEpoch, target, owned, ownership);
            // A state written by a newer coordinator: the caller has fenced the member unless it
            // owns nothing, then it is reconciled from scratch (Kafka's rule).
            case UNKNOWN -> next(m, targetEpoch, m.assigned(), targetEpoch, target, owned, ownership);
        };
    }

    private static ConsumerMember next(ConsumerMember m, int memberEpoch, Map<Uuid, Set<Integer>> current,
                                       int targetEpoch, Map<Uuid, Set<Integer>> target, Map<Uuid, Set<Integer>> owned,
                                       PartitionOwnership ownership) {
        Map<Uuid, Set<Integer>> keep = new HashMap<>();
        Map<Uuid, Set<Integer>> revoke = new HashMap<>();
        Map<Uuid, Set<Integer>> gain = new HashMap<>();
        boolean unreleased = false;
        Set<Uuid> topics = new HashSet<>(target.keySet());
        topics.addAll(current.keySet());
        for (Uuid t : topics) {
            Set<Integer> want = target.getOrDefault(t, Set.of());
            Set<Integer> have = current.getOrDefault(t, Set.of());
            Set<Integer> k = new HashSet<>(have);
            k.retainAll(want);
            Set<Integer> r = new HashSet<>(have);
            r.removeAll(k);
            Set<Integer> g = new HashSet<>(want);
            g.removeAll(k);
            for (var it = g.iterator(); it.hasNext(); ) {
                int p = it.next();
                if (ownership.epoch(t, p) != -1) {
                    it.remove();
                    unreleased = true;
                }
            }
            keep.put(t, k);
            revoke.put(t, r);
            gain.put(t, g);
        }
        Map<Uuid, Set<Integer>> revoking = TopicPartitions.copyOf(revoke);
        if (!revoking.isEmpty() && TopicPartitions.intersects(owned, revoking)) {
            return m.reconciled(MemberState.UNREVOKED_PARTITIONS, memberEpoch, keep, revoking);
        }
        Map<Uuid, Set<Integer>> gained = TopicPartitions.copyOf(gain);
        gained.forEach((t, ps) -> keep.computeIfAbsent(t, x -> new HashSet<>()).addAll(ps));
        MemberState s = unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE;
        return m.reconciled(s, targetEpoch, keep, TopicPartitions.NONE);
    }
}
