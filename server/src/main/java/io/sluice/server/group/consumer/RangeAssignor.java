package io.sluice.server.group.consumer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Kafka's server-side {@code range} assignor: per topic, the members subscribing to it in member
 * id order each get a contiguous range of partitions, the first {@code partitions % members} one
 * more. Members subscribing to the same co-partitioned topics get the same partition numbers of
 * each (the point of range). Not sticky: a membership change may move ranges. Stateless.
 */
public final class RangeAssignor implements PartitionAssignor {

    public static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, Set<Uuid>> subscriptions,
                                                       Map<Uuid, Integer> partitionCounts,
                                                       Map<String, Map<Uuid, Set<Integer>>> current) {
        Map<String, Map<Uuid, Set<Integer>>> out = new HashMap<>();
        subscriptions.keySet().forEach(m -> out.put(m, new HashMap<>()));
        for (Map.Entry<Uuid, Integer> topic : partitionCounts.entrySet()) {
            List<String> subscribers = new ArrayList<>(new TreeSet<>(subscriptions.keySet()).stream()
                    .filter(m -> subscriptions.get(m).contains(topic.getKey())).toList());
            if (subscribers.isEmpty()) {
                continue;
            }
            int n = topic.getValue();
            int per = n / subscribers.size();
            int extra = n % subscribers.size();
            int next = 0;
            for (int i = 0; i < subscribers.size(); i++) {
                int take = per + (i < extra ? 1 : 0);
                Set<Integer> range = new TreeSet<>();
                for (int p = next; p < next + take; p++) {
                    range.add(p);
                }
                next += take;
                if (!range.isEmpty()) {
                    out.get(subscribers.get(i)).put(topic.getKey(), range);
                }
            }
        }
        return out;
    }
}
