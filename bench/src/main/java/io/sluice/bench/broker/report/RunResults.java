package io.sluice.bench.broker.report;

import io.sluice.bench.broker.cleaner.CleanerResult;
import io.sluice.bench.broker.workload.FailoverResult;
import io.sluice.bench.broker.workload.IsrResult;
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
 * @param nodes       nodes per broker cluster (1: single node; 0 in results written before clusters)
 * @param isrRuns     cluster mode: the ISR-stability runs, per broker and repetition
 * @param failovers   cluster mode: the kill -9 runs, per broker and repetition
 * @param cleanerRuns the log cleaner step (single node, {@code --workloads cleaner}), per broker and repetition
 */
public record RunResults(String startedAt, String finishedAt, String mode, Map<String, String> machine,
                         Map<String, String> settings, String baseline, String candidate,
                         Map<String, String> unavailable, List<Workload> workloads, List<LoadResult> results,
                         int nodes, List<IsrResult> isrRuns, List<FailoverResult> failovers,
                         List<CleanerResult> cleanerRuns) {

    public RunResults {
        isrRuns = isrRuns == null ? List.of() : List.copyOf(isrRuns);
        failovers = failovers == null ? List.of() : List.copyOf(failovers);
        cleanerRuns = cleanerRuns == null ? List.of() : List.copyOf(cleanerRuns);
    }

    /** A single-node run (no cluster figures). */
    public RunResults(String startedAt, String finishedAt, String mode, Map<String, String> machine,
                      Map<String, String> settings, String baseline, String candidate,
                      Map<String, String> unavailable, List<Workload> workloads, List<LoadResult> results,
                      List<CleanerResult> cleanerRuns) {
        this(startedAt, finishedAt, mode, machine, settings, baseline, candidate, unavailable, workloads, results, 1,
                List.of(), List.of(), cleanerRuns);
    }

    /** A single-node run without the cleaner step. */
    public RunResults(String startedAt, String finishedAt, String mode, Map<String, String> machine,
                      Map<String, String> settings, String baseline, String candidate,
                      Map<String, String> unavailable, List<Workload> workloads, List<LoadResult> results) {
        this(startedAt, finishedAt, mode, machine, settings, baseline, candidate, unavailable, workloads, results, List.of());
    }

    /** Whether the brokers ran as clusters of several nodes. */
    public boolean cluster() {
        return nodes > 1;
    }
}
