package io.sluice.bench.broker.report;

import io.sluice.bench.broker.workload.LoadResult;
import io.sluice.bench.broker.workload.Workload;
import java.util.List;
import java.util.Map;

/**
 * Everything one harness run measured: results.json, and the input of the report and charts
 * ({@code sluice-bench --render results.json} redraws them). Immutable.
 *
 * @param startedAt   ISO-8601 UTC
 * @param finishedAt  ISO-8601 UTC
 * @param mode        smoke, quick or full
 * @param machine     CPUs, memory, kernel, JVM of this machine
 * @param settings    warmup, duration, repetitions, ... as given
 * @param baseline    name of the baseline broker (Kafka)
 * @param candidate   name of the broker compared against it (Sluice, or a second Kafka for a self-check)
 * @param unavailable broker name → why it was not measured
 * @param workloads   the plan, in run order
 * @param results     one entry per workload, broker and repetition, in run order
 */
public record RunResults(String startedAt, String finishedAt, String mode, Map<String, String> machine,
                         Map<String, String> settings, String baseline, String candidate,
                         Map<String, String> unavailable, List<Workload> workloads, List<LoadResult> results) {
}
