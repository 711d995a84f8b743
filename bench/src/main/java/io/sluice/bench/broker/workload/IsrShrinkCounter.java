package io.sluice.bench.broker.workload;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts ISR shrinks and expands from successive observations of a topic's ISRs (partition →
 * in-sync replica ids), the way Kafka's {@code IsrShrinksPerSec} / {@code IsrExpandsPerSec} count
 * them: one shrink per partition whose ISR lost at least one replica since the last observation,
 * however many it lost (those are counted apart, in {@link #replicasRemoved}). A partition missing
 * from an observation (its describe failed) keeps its last ISR. Sampling misses a shrink and expand
 * that both fall between two observations, so the poll interval bounds what can be seen.
 *
 * <p>Owned by one thread (the watcher's); not thread-safe.
 */
public final class IsrShrinkCounter {
    /** Events kept for the report; counting goes on past it. */
    static final int EVENTS_MAX = 50;

    private final Map<Integer, Set<Integer>> last = new HashMap<>();
    private final List<String> events = new ArrayList<>();
    private int observations;
    private int shrinks;
    private int expands;
    private int replicasRemoved;
    private int minIsrSize = Integer.MAX_VALUE;

    /**
     * One observation at {@code elapsedMs} since the watch started.
     *
     * @return the shrinks this observation saw
     */
    public int observe(long elapsedMs, Map<Integer, Set<Integer>> isrByPartition) {
        observations++;
        int seen = 0;
        for (Map.Entry<Integer, Set<Integer>> entry : isrByPartition.entrySet()) {
            Set<Integer> now = Set.copyOf(entry.getValue());
            minIsrSize = Math.min(minIsrSize, now.size());
            Set<Integer> before = last.put(entry.getKey(), now);
            if (before == null) {
                continue;
            }
            Set<Integer> removed = new HashSet<>(before);
            removed.removeAll(now);
            Set<Integer> added = new HashSet<>(now);
            added.removeAll(before);
            if (!removed.isEmpty()) {
                shrinks++;
                seen++;
                replicasRemoved += removed.size();
                event(elapsedMs, entry.getKey(), "shrink", before, now);
            }
            if (!added.isEmpty()) {
                expands++;
                event(elapsedMs, entry.getKey(), "expand", before, now);
            }
        }
        return seen;
    }

    private void event(long elapsedMs, int partition, String kind, Set<Integer> before, Set<Integer> now) {
        if (events.size() < EVENTS_MAX) {
            events.add(String.format("%.1f s: partition %d %s %s -> %s", elapsedMs / 1000.0, partition, kind,
                    new TreeSet<>(before), new TreeSet<>(now)));
        }
    }

    public int observations() {
        return observations;
    }

    public int shrinks() {
        return shrinks;
    }

    public int expands() {
        return expands;
    }

    public int replicasRemoved() {
        return replicasRemoved;
    }

    /** The smallest ISR seen in any partition; 0 before the first observation. */
    public int minIsrSize() {
        return minIsrSize == Integer.MAX_VALUE ? 0 : minIsrSize;
    }

    /** The first {@link #EVENTS_MAX} shrinks and expands, "12.5 s: partition 3 shrink [1, 2, 3] -> [1, 2]". */
    public List<String> events() {
        return List.copyOf(events);
    }
}
