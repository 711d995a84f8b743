package io.sluice.bench.broker.report;

import io.sluice.bench.broker.workload.LatencySummary;
import io.sluice.bench.broker.workload.LoadResult;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * The medians over the successful repetitions of one workload on one broker, and their merged
 * latency histogram (for curves). Immutable after construction.
 */
public final class Summary {
    /** The columns of the report, each with its unit and which direction is better. */
    public enum Metric {
        RECORDS_PER_SEC("records/s", true, r -> r.recordsPerSec()),
        MIB_PER_SEC("MiB/s", true, r -> r.mibPerSec()),
        P50_MS("p50 ms", false, r -> r.latency() == null ? Double.NaN : r.latency().p50Ms()),
        P99_MS("p99 ms", false, r -> r.latency() == null ? Double.NaN : r.latency().p99Ms()),
        P999_MS("p99.9 ms", false, r -> r.latency() == null ? Double.NaN : r.latency().p999Ms()),
        MAX_MS("max ms", false, r -> r.latency() == null ? Double.NaN : r.latency().maxMs()),
        CPU_SEC_PER_GIB("CPU-s/GiB", false, r -> r.cpuSecPerGib() > 0 ? r.cpuSecPerGib() : Double.NaN),
        PEAK_RSS_MIB("peak RSS MiB", false, r -> r.peakRssBytes() > 0 ? r.peakRssBytes() / 1048576.0 : Double.NaN);

        public final String header;
        public final boolean higherIsBetter;
        final ToDoubleFunction<LoadResult> value;

        Metric(String header, boolean higherIsBetter, ToDoubleFunction<LoadResult> value) {
            this.header = header;
            this.higherIsBetter = higherIsBetter;
            this.value = value;
        }
    }

    private final List<LoadResult> runs;
    private final Histogram mergedLatency;

    public Summary(List<LoadResult> allRuns) {
        this.runs = allRuns.stream().filter(LoadResult::ok).toList();
        Histogram merged = LatencySummary.newHistogram();
        for (LoadResult run : runs) {
            if (run.latency() != null && run.latency().histogram() != null) {
                merged.add(run.latency().decode());
            }
        }
        this.mergedLatency = merged;
    }

    /** Successful repetitions. */
    public int runs() {
        return runs.size();
    }

    /** Median of the metric over the successful repetitions; NaN if none has it. */
    public double median(Metric metric) {
        double[] values = runs.stream().mapToDouble(metric.value).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /** (min, max) of the metric over the repetitions, to show the spread. */
    public double[] range(Metric metric) {
        double[] values = runs.stream().mapToDouble(metric.value).filter(v -> !Double.isNaN(v)).toArray();
        if (values.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {Arrays.stream(values).min().getAsDouble(), Arrays.stream(values).max().getAsDouble()};
    }

    /** All repetitions' latencies in one histogram (microseconds). */
    public Histogram mergedLatency() {
        return mergedLatency;
    }
}
