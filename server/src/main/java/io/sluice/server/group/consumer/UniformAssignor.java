package io.sluice.server.group.consumer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's server-side {@code uniform} assignor (the default): every partition of the subscribed
 * topics goes to one subscribing member, as evenly as the subscriptions allow (with the same
 * subscription everywhere, counts differ by at most one), and sticky: a partition stays with its
 * previous owner unless balance requires a move, so a rebalance revokes as little as possible.
 * Stateless.
 */
public final class UniformAssignor implements PartitionAssignor {

    public static final String NAME = "uniform";

    private record TopicPartition(Uuid topic, int partition) { }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, Set<Uuid>> subscriptions,
                                                       Map<Uuid, Integer> partitionCounts,
                                                       Map<String, Map<Uuid, Set<Integer>>> current) {
        TreeMap<String, List<TopicPartition>> owned = new TreeMap<>();
        subscriptions.keySet().forEach(m -> owned.put(m, new ArrayList<>()));
        Map<TopicPartition, String> owner = new HashMap<>();
        // Members eligible per partition, and the partitions to place.
        List<TopicPartition> all = new ArrayList<>();
        Map<Uuid, List<String>> subscribers = new HashMap<>();
        for (Map.Entry<Uuid, Integer> t : new TreeMap<>(partitionCounts).entrySet()) {
            List<String> s = owned.keySet().stream().filter(m -> subscriptions.get(m).contains(t.getKey())).toList();
            if (s.isEmpty()) {
                continue;
            }
            subscribers.put(t.getKey(), s);
            for (int p = 0; p < t.getValue(); p++) {
                all.add(new TopicPartition(t.getKey(), p));
            }
        }
        int quota = (int) Math.ceil((double) all.size() / Math.max(1, owned.size()));
        // 1. Stickiness: keep what each member had, if it still subscribes, up to an even share.
        for (String m : owned.keySet()) {
            current.getOrDefault(m, Map.of()).forEach((t, ps) -> {
                Integer count = partitionCounts.get(t);
                if (count == null || !subscriptions.get(m).contains(t)) {
                    return;
                }
                for (int p : new TreeSet<>(ps)) {
                    TopicPartition tp = new TopicPartition(t, p);
                    if (p < count && !owner.containsKey(tp) && owned.get(m).size() < quota) {
                        owner.put(tp, m);
                        owned.get(m).add(tp);
                    }
                }
            });
        }
        // 2. The rest, the most constrained first, each to the least loaded eligible member.
        all.stream().filter(tp -> !owner.containsKey(tp))
                .sorted(Comparator.comparingInt((TopicPartition tp) -> subscribers.get(tp.topic()).size()))
                .forEach(tp -> {
                    String m = leastLoaded(subscribers.get(tp.topic()), owned);
                    owner.put(tp, m);
                    owned.get(m).add(tp);
                });
        // 3. Balance: move from a member to an eligible one with at least two fewer (bounded: each
        // move lowers the sum of squared counts).
        boolean moved = true;
        for (int round = 0; moved && round <= all.size(); round++) {
            moved = false;
            for (TopicPartition tp : all) {
                String from = owner.get(tp);
                String to = leastLoaded(subscribers.get(tp.topic()), owned);
                if (owned.get(from).size() - owned.get(to).size() > 1) {
                    owned.get(from).remove(tp);
                    owned.get(to).add(tp);
                    owner.put(tp, to);
                    moved = true;
                }
            }
        }
        Map<String, Map<Uuid, Set<Integer>>> out = new HashMap<>();
        owned.forEach((m, tps) -> {
            Map<Uuid, Set<Integer>> a = new HashMap<>();
            tps.forEach(tp -> a.computeIfAbsent(tp.topic(), x -> new TreeSet<>()).add(tp.partition()));
            out.put(m, a);
        });
        return out;
    }

    private static String leastLoaded(List<String> eligible, Map<String, List<TopicPartition>> owned) {
        String best = null;
        for (String m : eligible) {
            if (best == null || owned.get(m).size() < owned.get(best).size()) {
                best = m;
            }
        }
        return best;
    }
}
