package io.sluice.bench.broker.report;

import io.sluice.bench.broker.workload.LoadResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The {@link Summary} of each (workload, broker) of a run. Immutable after construction. */
public final class Summaries {
    private final Map<String, Summary> byKey = new HashMap<>();

    public Summaries(RunResults run) {
        Map<String, List<LoadResult>> grouped = run.results().stream()
                .collect(Collectors.groupingBy(r -> key(r.workload(), r.broker())));
        grouped.forEach((key, results) -> byKey.put(key, new Summary(results)));
    }

    /** The summary, empty (no runs) if that broker never ran that workload. */
    public Summary get(String workloadId, String broker) {
        return byKey.getOrDefault(key(workloadId, broker), new Summary(List.of()));
    }

    private static String key(String workloadId, String broker) {
        return workloadId + "\u0000" + broker;
    }
}
