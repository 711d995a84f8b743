package io.sluice.chaos.checker;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.ArrayList;

/**
 * What the {@link Checker} found in one history: per topic, the count of each anomaly with a few
 * examples, and the operation counts. Built by the checker's thread, then read-only.
 */
public final class CheckResult {
    static final int EXAMPLES_MAX = 5;

    /** Operation counts of one topic. Mutable only while the checker builds it. */
    public static final class Stats {
        public long sendsInvoked;
        public long sendsOk;
        public long sendsFailed;
        public long sendsUnknown;
        public long recordsRead;
    }

    private final Map<String, EnumMap<Anomaly, Long>> counts = new TreeMap<>();
    private final Map<String, EnumMap<Anomaly, List<String>>> examples = new TreeMap<>();
    private final Map<String, Stats> stats = new TreeMap<>();

    void record(String topic, Anomaly anomaly, String example) {
        counts.computeIfAbsent(topic, t -> new EnumMap<>(Anomaly.class)).merge(anomaly, 1L, Long::sum);
        List<String> list = examples.computeIfAbsent(topic, t -> new EnumMap<>(Anomaly.class))
                .computeIfAbsent(anomaly, a -> new ArrayList<>());
        if (list.size() < EXAMPLES_MAX) {
            list.add(example);
        }
    }

    Stats stats(String topic) {
        return stats.computeIfAbsent(topic, t -> new Stats());
    }

    public long count(String topic, Anomaly anomaly) {
        return counts.getOrDefault(topic, new EnumMap<>(Anomaly.class)).getOrDefault(anomaly, 0L);
    }

    /** Total of one anomaly over all topics. */
    public long count(Anomaly anomaly) {
        return counts.values().stream().mapToLong(m -> m.getOrDefault(anomaly, 0L)).sum();
    }

    public List<String> examples(String topic, Anomaly anomaly) {
        return examples.getOrDefault(topic, new EnumMap<>(Anomaly.class)).getOrDefault(anomaly, List.of());
    }

    public Map<String, Stats> statsByTopic() {
        return stats;
    }

    public Map<String, EnumMap<Anomaly, Long>> countsByTopic() {
        return counts;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        counts.forEach((topic, byAnomaly) -> byAnomaly.forEach((a, n) -> {
            sb.append(topic).append(' ').append(a).append('=').append(n).append(" e.g. ")
                    .append(examples(topic, a)).append('\n');
        }));
        return sb.length() == 0 ? "no anomalies" : sb.toString();
    }
}
