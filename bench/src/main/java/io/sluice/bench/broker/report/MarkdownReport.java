package io.sluice.bench.broker.report;

import io.sluice.bench.broker.report.Summary.Metric;
import io.sluice.bench.broker.workload.LoadResult;
import io.sluice.bench.broker.workload.Workload;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.md: one row per workload, each column "baseline → candidate (candidate/baseline×)", medians
 * over the repetitions; then the targets, the setup, and every repetition's raw numbers. Stateless.
 */
public final class MarkdownReport {
    /** The targets for Sluice against Kafka, per metric (ratio candidate/baseline). */
    static final Map<Metric, Double> TARGETS = Map.of(Metric.RECORDS_PER_SEC, 1.5, Metric.MIB_PER_SEC, 1.5,
            Metric.P999_MS, 0.5, Metric.CPU_SEC_PER_GIB, 0.67, Metric.PEAK_RSS_MIB, 0.5);

    private MarkdownReport() {
    }

    public static String render(RunResults run, Summaries summaries) {
        StringBuilder md = new StringBuilder();
        String a = run.baseline();
        String b = run.candidate();
        boolean hasB = b != null && !run.unavailable().containsKey(b);
        md.append("# Side by side").append(run.cluster() ? ", " + run.nodes() + "-node clusters" : "").append(": ")
                .append(b == null ? a : b + " vs " + a).append("\n\n");
        md.append("Mode **").append(run.mode()).append("**, started ").append(run.startedAt())
                .append(", finished ").append(run.finishedAt()).append(". ");
        boolean counterbalanced = run.settings().getOrDefault("order", "").contains("counterbalanced");
        md.append("Brokers alternate ").append(!hasB ? a : counterbalanced ? a + ", " + b + ", " + b + ", " + a + ", …"
                        : a + ", " + b + ", " + a + ", " + b + ", …")
                .append(" (one process at a time, each with a fresh data directory); each cell is the median of ")
                .append(run.settings().getOrDefault("repetitions", "?")).append(" repetitions.\n\n");
        run.unavailable().forEach((name, why) -> md.append("> **").append(name).append(" was not measured:** ")
                .append(why).append("\n\n"));
        if (!run.workloads().isEmpty()) { // a run of the cleaner step alone has no workload table
            if (hasB) {
                md.append("Cells: `").append(a).append(" → ").append(b).append(" (").append(b).append('/').append(a)
                        .append(")`. Higher is better for records/s and MiB/s, lower for the rest. ")
                        .append("✅/❌: meets / misses the issue's target (throughput ≥ 1.5×, p99.9 ≤ 0.5×, CPU/GiB ≤ 0.67×, RSS ≤ 0.5×).\n\n");
            } else {
                md.append("Cells: `").append(a).append("` medians only.\n\n");
            }
            workloadTable(md, run, summaries, a, hasB);
        }
        if (run.cluster()) {
            md.append("\nCluster rows: CPU is the sum over the nodes, peak RSS the largest node's (peak RSS per node).\n\n");
            ClusterReport.render(md, run);
        }
        CleanerReport.render(md, run);
        if (!run.workloads().isEmpty()) { // the charts draw the workloads
            md.append("\n![throughput](throughput.png)\n\n![end-to-end latency](latency.png)\n\n![broker cost](cost.png)\n\n");
        }
        setup(md, run);
        if (!run.workloads().isEmpty()) {
            rawRuns(md, run);
        }
        return md.toString();
    }

    private static void workloadTable(StringBuilder md, RunResults run, Summaries summaries, String a, boolean hasB) {
        String b = run.candidate();
        md.append("| workload |");
        for (Metric metric : Metric.values()) {
            md.append(' ').append(metric.header).append(" |");
        }
        md.append("\n|---|");
        md.append("---:|".repeat(Metric.values().length)).append('\n');
        for (Workload workload : run.workloads()) {
            Summary sa = summaries.get(workload.id(), a);
            Summary sb = hasB ? summaries.get(workload.id(), b) : null;
            md.append("| ").append(workload.label()).append(" |");
            for (Metric metric : Metric.values()) {
                // An end-to-end workload runs at a fixed rate: its throughput is the rate, not a result;
                // a rebalance workload's result is its latency (the time to be stable again).
                boolean judged = !(workload.ratedByLatency() && metric.higherIsBetter);
                md.append(' ').append(cell(metric, sa, sb, judged)).append(" |");
            }
            md.append('\n');
        }
        crowding(md, run);
    }

    private static String cell(Metric metric, Summary sa, Summary sb, boolean judged) {
        double va = sa.median(metric);
        if (sb == null) {
            return format(va);
        }
        double vb = sb.median(metric);
        if (Double.isNaN(va) && Double.isNaN(vb)) {
            return "–";
        }
        String text = format(va) + " → " + format(vb);
        if (Double.isNaN(va) || Double.isNaN(vb) || va == 0) {
            return text;
        }
        double ratio = vb / va;
        Double target = TARGETS.get(metric);
        String mark = "";
        if (target != null && judged) {
            boolean met = metric.higherIsBetter ? ratio >= target : ratio <= target;
            mark = met ? " ✅" : " ❌";
        }
        return text + " (**" + String.format(Locale.ROOT, "%.2f", ratio) + "×**" + mark + ")";
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (value >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (value >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** Says how much CPU other processes took during the windows, per broker: the noise floor of the run. */
    private static void crowding(StringBuilder md, RunResults run) {
        md.append('\n');
        for (String broker : brokers(run)) {
            double[] other = run.results().stream().filter(r -> r.broker().equals(broker) && r.ok())
                    .mapToDouble(LoadResult::otherCores).filter(v -> !Double.isNaN(v)).sorted().toArray();
            if (other.length > 0) {
                md.append(String.format(Locale.ROOT, "Other processes used %.2f cores (median; max %.2f) during %s's windows. ",
                        other[other.length / 2], other[other.length - 1], broker));
            }
        }
        md.append("On a shared 2-core machine, more than ~0.3 makes single figures unreliable: compare medians of repetitions.\n");
    }

    private static void setup(StringBuilder md, RunResults run) {
        md.append("## Setup\n\n");
        run.machine().forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        run.settings().forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append("""
                - Client: kafka-clients 4.4.0 in the harness JVM, the same configs for both brokers: 1 KiB random \
                (incompressible) values, no keys, producer defaults except acks / batch.size as named and \
                enable.idempotence as above; consumer defaults, assign + seek, no group.
                - produce: one producer thread, closed loop; records acknowledged inside the window; latency = send → ack.
                - consume: the topic is written first (acks=1, batch.size=64k), then read from the beginning by one consumer.
                - e2e: fixed rate, acks=all; latency = consumer receive − intended send time (coordinated omission corrected).
                - Broker CPU: utime+stime of the broker JVM from /proc/<pid>/stat over the window, per GiB moved. \
                Peak RSS: VmHWM from /proc/<pid>/status, reset per workload (clear_refs); includes mapped file pages.

                """);
    }

    private static void rawRuns(StringBuilder md, RunResults run) {
        md.append("## Every repetition\n\n| workload | broker | rep | records/s | MiB/s | p99 ms | p99.9 ms | CPU-s | CPU-s/GiB | peak RSS MiB | anon RSS MiB | other load (cores) | errors |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (LoadResult r : run.results()) {
            md.append("| ").append(r.workload()).append(" | ").append(r.broker()).append(" | ").append(r.rep()).append(" | ");
            if (!r.ok()) {
                md.append("– | – | – | – | – | – | – | – | – | ").append(r.error().replace('|', '/').replace('\n', ' ')).append(" |\n");
                continue;
            }
            md.append(format(r.recordsPerSec())).append(" | ").append(format(r.mibPerSec())).append(" | ")
                    .append(r.latency() == null ? "–" : format(r.latency().p99Ms())).append(" | ")
                    .append(r.latency() == null ? "–" : format(r.latency().p999Ms())).append(" | ")
                    .append(format(r.brokerCpuSeconds())).append(" | ").append(format(r.cpuSecPerGib())).append(" | ")
                    .append(format(r.peakRssBytes() / 1048576.0)).append(" | ").append(format(r.rssAnonBytes() / 1048576.0))
                    .append(" | ").append(format(r.otherCores())).append(" | ").append(r.errors()).append(" |\n");
        }
    }

    /** Convenience for callers holding a list. */
    static List<String> brokers(RunResults run) {
        return run.candidate() == null ? List.of(run.baseline()) : List.of(run.baseline(), run.candidate());
    }
}
