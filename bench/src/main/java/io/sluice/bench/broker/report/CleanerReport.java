package io.sluice.bench.broker.report;

import io.sluice.bench.broker.cleaner.CleanerResult;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The log cleaner section of report.md: cleaner throughput (MiB/s of dirty log cleaned) and the
 * fixed-rate producer's p99 without and during the cleaning, medians over the repetitions, then
 * every repetition. Goals (issue 16): the candidate's cleaner at least as fast as the baseline's,
 * and each broker's p99 during cleaning at most 1.2× its p99 without. Stateless.
 */
final class CleanerReport {
    static final double P99_RATIO_GOAL = 1.2;

    private CleanerReport() {
    }

    static void render(StringBuilder md, RunResults run) {
        if (run.cleanerRuns().isEmpty()) {
            return;
        }
        md.append("## Log cleaner\n\n")
                .append("A one-partition compacted topic written with each key 10 times (10 % of the records live), ")
                .append("then `min.cleanable.dirty.ratio` set from 1 to 0.01; cleaning time is from that change to the ")
                .append("broker's `cleaner-offset-checkpoint` reaching the active segment. Meanwhile a producer at a ")
                .append("fixed rate (acks=1) on another topic: its send→ack p99 (from each record's due time) in a window ")
                .append("before the change and during the cleaning. Medians of the successful repetitions. Goals: cleaner ")
                .append("MiB/s ≥ the baseline's, p99 during ≤ ").append(P99_RATIO_GOAL).append("× p99 without.\n\n")
                .append("| broker | dirty MiB | cleaning s | **cleaned MiB/s** | MiB left | produce p99 without ms | ")
                .append("p99 during ms | **during / without** | broker CPU-s while cleaning | other load (cores) |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double baselineMibPerSec = median(ok(run, run.baseline()), CleanerResult::cleanedMibPerSec);
        for (String broker : MarkdownReport.brokers(run)) {
            List<CleanerResult> mine = ok(run, broker);
            if (mine.isEmpty()) {
                continue;
            }
            double mibPerSec = median(mine, CleanerResult::cleanedMibPerSec);
            double ratio = median(mine, CleanerResult::p99Ratio);
            String speed = "**" + MarkdownReport.format(mibPerSec) + "**";
            if (!broker.equals(run.baseline()) && baselineMibPerSec > 0) {
                speed += String.format(Locale.ROOT, " (%.2f×%s)", mibPerSec / baselineMibPerSec,
                        mibPerSec >= baselineMibPerSec ? " ✅" : " ❌");
            }
            md.append("| ").append(broker).append(" | ")
                    .append(MarkdownReport.format(median(mine, r -> r.dirtyBytes() / 1048576.0))).append(" | ")
                    .append(MarkdownReport.format(median(mine, CleanerResult::cleanSeconds))).append(" | ")
                    .append(speed).append(" | ")
                    .append(MarkdownReport.format(median(mine, r -> r.bytesAfter() / 1048576.0))).append(" | ")
                    .append(MarkdownReport.format(median(mine, r -> r.without().p99Ms()))).append(" | ")
                    .append(MarkdownReport.format(median(mine, r -> r.during().p99Ms()))).append(" | **")
                    .append(MarkdownReport.format(ratio)).append("×** ").append(ratio <= P99_RATIO_GOAL ? "✅" : "❌")
                    .append(" | ").append(MarkdownReport.format(median(mine, CleanerResult::cleaningCpuSeconds)))
                    .append(" | ").append(MarkdownReport.format(median(mine, CleanerResult::otherCores))).append(" |\n");
        }
        md.append("\nEvery repetition:\n\n")
                .append("| broker | rep | records (keys) | write s | dirty MiB (segments) | cleaning s | MiB/s | MiB left | ")
                .append("p99 without ms (records) | p99 during ms (records) | ratio | p99.9 during ms | failed sends | error |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (CleanerResult r : run.cleanerRuns()) {
            md.append("| ").append(r.broker()).append(" | ").append(r.rep()).append(" | ");
            if (r.without() == null) {
                md.append("– | – | – | – | – | – | – | – | – | – | – | ").append(clean(r.error())).append(" |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "%,d (%,d)", r.records(), r.keys())).append(" | ")
                    .append(MarkdownReport.format(r.writeSeconds())).append(" | ")
                    .append(MarkdownReport.format(r.dirtyBytes() / 1048576.0)).append(" (").append(r.dirtySegments())
                    .append(") | ").append(MarkdownReport.format(r.cleanSeconds())).append(" | ")
                    .append(MarkdownReport.format(r.cleanedMibPerSec())).append(" | ")
                    .append(MarkdownReport.format(r.bytesAfter() / 1048576.0)).append(" | ")
                    .append(MarkdownReport.format(r.without().p99Ms())).append(" (").append(r.without().count()).append(") | ")
                    .append(MarkdownReport.format(r.during().p99Ms())).append(" (").append(r.during().count()).append(") | ")
                    .append(MarkdownReport.format(r.p99Ratio())).append(" | ")
                    .append(MarkdownReport.format(r.during().p999Ms())).append(" | ").append(r.failedSends()).append(" | ")
                    .append(clean(r.error())).append(" |\n");
        }
        md.append('\n');
    }

    private static List<CleanerResult> ok(RunResults run, String broker) {
        return run.cleanerRuns().stream().filter(r -> r.ok() && r.broker().equals(broker)).toList();
    }

    static double median(List<CleanerResult> runs, ToDoubleFunction<CleanerResult> figure) {
        double[] sorted = runs.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String clean(String text) {
        return text == null ? "" : text.replace('|', '/').replace('\n', ' ');
    }
}
