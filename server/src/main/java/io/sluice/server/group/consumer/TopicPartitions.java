package io.sluice.server.group.consumer;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;

/**
 * Partitions by topic id, the currency of KIP-848 assignments: immutable maps of topic id to a
 * sorted set of partition indexes, with the set algebra reconciliation needs. Stateless,
 * thread-safe.
 */
public final class TopicPartitions {

    public static final Map<Uuid, Set<Integer>> NONE = Map.of();

    private TopicPartitions() { }

    /** An immutable copy without empty topics, sorted (so equal assignments compare and print alike). */
    public static Map<Uuid, Set<Integer>> copyOf(Map<Uuid, ? extends Set<Integer>> m) {
        TreeMap<Uuid, Set<Integer>> out = new TreeMap<>();
        m.forEach((t, ps) -> {
            if (!ps.isEmpty()) {
                out.put(t, Collections.unmodifiableSet(new TreeSet<>(ps)));
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** From a heartbeat's owned partitions (null stays null: the member did not say). */
    public static Map<Uuid, Set<Integer>> fromRequest(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned) {
        if (owned == null) {
            return null;
        }
        Map<Uuid, Set<Integer>> m = new HashMap<>();
        for (ConsumerGroupHeartbeatRequestData.TopicPartitions tp : owned) {
            m.computeIfAbsent(tp.topicId(), t -> new TreeSet<>()).addAll(tp.partitions());
        }
        return copyOf(m);
    }

    public static ConsumerGroupHeartbeatResponseData.Assignment toResponse(Map<Uuid, Set<Integer>> m) {
        ConsumerGroupHeartbeatResponseData.Assignment a = new ConsumerGroupHeartbeatResponseData.Assignment();
        m.forEach((t, ps) -> a.topicPartitions().add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(t).setPartitions(List.copyOf(ps))));
        return a;
    }

    /** Whether every partition of {@code sub} is in {@code of}; a null {@code sub} (not said) is not. */
    public static boolean isSubset(Map<Uuid, Set<Integer>> sub, Map<Uuid, Set<Integer>> of) {
        if (sub == null) {
            return false;
        }
        for (Map.Entry<Uuid, Set<Integer>> e : sub.entrySet()) {
            if (!of.getOrDefault(e.getKey(), Set.of()).containsAll(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Whether the two share a partition; a null {@code owned} (not said) counts as sharing. */
    public static boolean intersects(Map<Uuid, Set<Integer>> owned, Map<Uuid, Set<Integer>> m) {
        if (owned == null) {
            return true;
        }
        for (Map.Entry<Uuid, Set<Integer>> e : owned.entrySet()) {
            Set<Integer> other = m.getOrDefault(e.getKey(), Set.of());
            for (int p : e.getValue()) {
                if (other.contains(p)) {
                    return true;
                }
            }
        }
        return false;
    }
}
