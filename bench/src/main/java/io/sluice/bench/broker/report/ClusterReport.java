package io.sluice.bench.broker.report;

import io.sluice.bench.broker.workload.FailoverResult;
import io.sluice.bench.broker.workload.IsrResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The cluster-only sections of report.md: unavailability after kill -9 of a partition leader (every
 * run, the median of all and of each repetition) and ISR stability (shrinks per steady run).
 * Stateless.
 */
final class ClusterReport {
    /** The goal for Sluice's unavailability after a leader's kill -9, absolute. */
    static final long FAILOVER_GOAL_MS = 1500;

    private ClusterReport() {
    }

    static void render(StringBuilder md, RunResults run) {
        failover(md, run);
        isr(md, run);
    }

    private static void failover(StringBuilder md, RunResults run) {
        if (run.failovers().isEmpty()) {
            return;
        }
        md.append("## Unavailability after kill -9 of a partition leader\n\n")
                .append("From the SIGKILL of the leader's JVM to the next acknowledged acks=all send (one partition, ")
                .append("replicated on every node; the killed node is restarted and the ISR full again before the next run). ")
                .append("Goal: Sluice < ").append(FAILOVER_GOAL_MS).append(" ms.\n\n")
                .append("| system | median ms (all runs) | per repetition: runs in ms (killed node → new leader) | median per repetition |\n")
                .append("|---|---:|---|---|\n");
        for (String broker : MarkdownReport.brokers(run)) {
            List<FailoverResult> mine = run.failovers().stream().filter(f -> f.broker().equals(broker)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            long[] all = mine.stream().flatMap(f -> f.runs().stream()).mapToLong(FailoverResult.Run::unavailableMs).sorted().toArray();
            String median = all.length == 0 ? "–" : String.format(Locale.ROOT, "**%,d**", medianOf(all));
            if (all.length > 0 && broker.equals(run.candidate())) {
                median += medianOf(all) < FAILOVER_GOAL_MS ? " ✅" : " ❌";
            }
            String perRep = mine.stream().map(f -> "r" + f.rep() + ": " + f.runs().stream()
                    .map(r -> String.format(Locale.ROOT, "%,d (%d→%d)", r.unavailableMs(), r.killedNode(), r.newLeader()))
                    .collect(Collectors.joining(", ")) + (f.ok() ? "" : " — " + clean(f.error())))
                    .collect(Collectors.joining("; "));
            String medians = mine.stream().map(f -> {
                long[] ms = f.runs().stream().mapToLong(FailoverResult.Run::unavailableMs).sorted().toArray();
                return ms.length == 0 ? "–" : String.format(Locale.ROOT, "%,d", medianOf(ms));
            }).collect(Collectors.joining(", "));
            md.append("| ").append(broker).append(" | ").append(median).append(" | ").append(perRep).append(" | ")
                    .append(medians).append(" |\n");
        }
        md.append("\nWhat the probe's client saw: sends tried per run until one was acknowledged, and the first ")
                .append("failed attempt's error, numbers as N (attempts time out after 2 s):\n\n");
        for (String broker : MarkdownReport.brokers(run)) {
            List<FailoverResult.Run> runs = run.failovers().stream().filter(f -> f.broker().equals(broker))
                    .flatMap(f -> f.runs().stream()).toList();
            if (runs.isEmpty()) {
                continue;
            }
            Map<String, Long> errors = runs.stream().collect(Collectors.groupingBy(
                    r -> r.firstError() == null ? "none failed" : clean(r.firstError()).replaceAll("\\d+", "N"),
                    TreeMap::new, Collectors.counting()));
            md.append("- ").append(broker).append(": attempts ")
                    .append(runs.stream().map(r -> Integer.toString(r.attempts())).collect(Collectors.joining(", ")))
                    .append("; first errors: ");
            md.append(errors.entrySet().stream().map(e -> e.getValue() + "× " + e.getKey()).collect(Collectors.joining("; ")))
                    .append('\n');
        }
        md.append('\n');
    }

    private static void isr(StringBuilder md, RunResults run) {
        if (run.isrRuns().isEmpty()) {
            return;
        }
        md.append("## ISR stability\n\n")
                .append("A steady acks=all producer at a fixed rate while the topic's ISR is described through the Admin API; ")
                .append("a shrink is a partition whose ISR lost a replica between two observations. Goal: 0 shrinks.\n\n")
                .append("| system | rep | rate asked → acknowledged (records/s) | seconds | shrinks | expands | min ISR | observations (failed) | failed sends | broker CPU-s | peak RSS MiB | other load (cores) |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (IsrResult r : run.isrRuns()) {
            md.append("| ").append(r.broker()).append(" | ").append(r.rep()).append(" | ");
            if (!r.ok() && r.observations() == 0) {
                md.append(MarkdownReport.format(r.targetPerSec())).append(" | – | – | – | – | – | – | – | – | – | ")
                        .append(clean(r.error())).append(" |\n");
                continue;
            }
            md.append(MarkdownReport.format(r.targetPerSec())).append(" → ").append(MarkdownReport.format(r.achievedPerSec()))
                    .append(" | ").append(MarkdownReport.format(r.seconds())).append(" | **").append(r.shrinks())
                    .append(r.shrinks() == 0 ? "** ✅" : "** ❌").append(" | ").append(r.expands()).append(" | ")
                    .append(r.minIsrSize()).append(" | ").append(r.observations()).append(" (").append(r.observeErrors())
                    .append(") | ").append(r.failed()).append(" | ").append(MarkdownReport.format(r.brokerCpuSeconds()))
                    .append(" | ").append(MarkdownReport.format(r.peakRssBytes() / 1048576.0)).append(" | ")
                    .append(MarkdownReport.format(r.otherCores())).append(r.ok() ? "" : " — " + clean(r.error())).append(" |\n");
        }
        run.isrRuns().stream().filter(r -> !r.events().isEmpty()).forEach(r -> {
            md.append("\n").append(r.broker()).append(" r").append(r.rep()).append(":\n\n");
            r.events().forEach(e -> md.append("- ").append(e).append('\n'));
        });
        md.append('\n');
    }

    static long medianOf(long[] sorted) {
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String clean(String text) {
        return text == null ? "" : text.replace('|', '/').replace('\n', ' ');
    }
}
