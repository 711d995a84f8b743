package io.sluice.chaos.run;

import io.sluice.chaos.checker.Anomaly;
import io.sluice.chaos.checker.CheckResult;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.workload.TopicSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Totals over a run, and the final table: schedules run, faults injected by kind, operations, and
 * the count of each anomaly per acks/idempotence/flush setting. A count marked {@code !n} means
 * n of them were where they must not be. Single-threaded (the run loop's).
 */
public final class RunSummary {
    private int schedules;
    private final List<ScheduleResult> failed = new ArrayList<>();
    private final EnumMap<FaultKind, Integer> faults = new EnumMap<>(FaultKind.class);
    private long operations;
    private final Map<String, long[]> sendStats = new LinkedHashMap<>();
    private final Map<String, EnumMap<Anomaly, Long>> anomalies = new LinkedHashMap<>();
    private final Map<String, EnumMap<Anomaly, Long>> violating = new LinkedHashMap<>();
    private final List<Long> recoveryMs = new ArrayList<>();
    private final List<Long> leaderMovedMs = new ArrayList<>();
    /** Per fault kind: ms from the fault's start (index 0) and heal (1) to the first acknowledged acks=all write. */
    private final EnumMap<FaultKind, List<long[]>> faultRecovery = new EnumMap<>(FaultKind.class);
    private int leaderStayed;

    /** NetworkNemesis's note when a majority node named a new leader during a cut. */
    private static final Pattern LEADER_MOVED = Pattern.compile("^leadership of .* moved .* (\\d+)ms after the cut");

    public RunSummary() {
        for (TopicSpec t : TopicSpec.standard(1)) {
            anomalies.put(t.label(), new EnumMap<>(Anomaly.class));
            violating.put(t.label(), new EnumMap<>(Anomaly.class));
            sendStats.put(t.label(), new long[4]);
        }
    }

    public void add(ScheduleResult r, boolean checkpointTracksForce) {
        schedules++;
        if (r.failed()) {
            failed.add(r);
        }
        r.faultsInjected().forEach((k, n) -> faults.merge(k, n, Integer::sum));
        operations += r.operations();
        recoveryMs.addAll(r.recoveryMs());
        for (RecoveryFigures.Recovery f : r.faultRecovery()) {
            faultRecovery.computeIfAbsent(f.kind(), k -> new ArrayList<>())
                    .add(new long[] {f.fromStartMs(), f.fromHealMs()});
        }
        for (String note : r.notes()) {
            Matcher m = LEADER_MOVED.matcher(note);
            if (m.find()) {
                leaderMovedMs.add(Long.parseLong(m.group(1)));
            } else if (note.startsWith("leadership of partition 0 stayed")) {
                leaderStayed++;
            }
        }
        CheckResult check = r.check();
        for (TopicSpec t : TopicSpec.standard(1)) {
            if (!r.topicLabels().containsKey(t.name())) {
                continue;
            }
            String label = t.label();
            CheckResult.Stats s = check.statsByTopic().get(t.name());
            if (s != null) {
                long[] st = sendStats.get(label);
                st[0] += s.sendsInvoked;
                st[1] += s.sendsOk;
                st[2] += s.sendsUnknown;
                st[3] += s.recordsRead;
            }
            Set<Anomaly> asserted = Expectations.asserted(t, r.schedule(), checkpointTracksForce, r.nodes());
            for (Anomaly a : Anomaly.values()) {
                long n = check.count(t.name(), a);
                if (n > 0) {
                    anomalies.get(label).merge(a, n, Long::sum);
                    boolean judged = r.finalReadComplete() || !Expectations.needsCompleteFinalRead(a);
                    if (asserted.contains(a) && judged) {
                        violating.get(label).merge(a, n, Long::sum);
                    }
                }
            }
        }
    }

    public int schedules() {
        return schedules;
    }

    public List<ScheduleResult> failed() {
        return failed;
    }

    public EnumMap<FaultKind, Integer> faults() {
        return faults;
    }

    public long operations() {
        return operations;
    }

    private static String columnName(Anomaly a) {
        return a.name().toLowerCase().replace('_', '-');
    }

    /** Wide enough for the column's name; at least 12 for the counts. */
    private static int columnWidth(Anomaly a) {
        return Math.max(12, columnName(a).length());
    }

    /**
     * Per fault kind, from the history: how long after the fault's start, and after its heal, the
     * first acks=all write invoked then was acknowledged; "never" counts faults after which none was.
     */
    String faultRecoveryTable() {
        if (faultRecovery.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("first acks=all write acknowledged after a fault (ms):\n");
        sb.append(String.format("  %-16s %6s %12s %10s %12s %10s %6s%n", "fault", "faults", "start:median", "max",
                "heal:median", "max", "never"));
        faultRecovery.forEach((kind, figures) -> {
            List<Long> fromStart = figures.stream().map(f -> f[0]).filter(ms -> ms >= 0).sorted().toList();
            List<Long> fromHeal = figures.stream().map(f -> f[1]).filter(ms -> ms >= 0).sorted().toList();
            sb.append(String.format("  %-16s %6d %12s %10s %12s %10s %6d%n", kind.cliName(), figures.size(),
                    median(fromStart), max(fromStart), median(fromHeal), max(fromHeal),
                    figures.size() - fromStart.size()));
        });
        return sb.toString();
    }

    private static String median(List<Long> sorted) {
        return sorted.isEmpty() ? "-" : Long.toString(sorted.get(sorted.size() / 2));
    }

    private static String max(List<Long> sorted) {
        return sorted.isEmpty() ? "-" : Long.toString(sorted.get(sorted.size() - 1));
    }

    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("schedules run: %d, failed: %d, operations: %d%n", schedules, failed.size(), operations));
        sb.append("faults injected:");
        if (faults.isEmpty()) {
            sb.append(" none");
        }
        faults.forEach((k, n) -> sb.append(' ').append(k.cliName()).append('=').append(n));
        sb.append('\n');
        if (!recoveryMs.isEmpty()) {
            List<Long> sorted = recoveryMs.stream().sorted().toList();
            sb.append(String.format("recovery (restart to serving): %d restarts, median %d ms, max %d ms%n",
                    sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1)));
        }
        sb.append(faultRecoveryTable());
        if (!leaderMovedMs.isEmpty() || leaderStayed > 0) {
            List<Long> sorted = leaderMovedMs.stream().sorted().toList();
            sb.append(String.format("leader cut off from peers (isolate/split/bridge): leadership moved %d times%s, "
                            + "stayed %d times%n",
                    sorted.size(), sorted.isEmpty() ? "" : String.format(" (cut to new leader named: median %d ms, "
                            + "max %d ms)", sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1)),
                    leaderStayed));
        }
        sb.append(String.format("%-22s %9s %9s %8s %9s", "setting", "sends", "acked", "unknown", "read"));
        for (Anomaly a : Anomaly.values()) {
            sb.append(String.format(" %" + columnWidth(a) + "s", columnName(a)));
        }
        sb.append('\n');
        for (String label : anomalies.keySet()) {
            long[] st = sendStats.get(label);
            sb.append(String.format("%-22s %9d %9d %8d %9d", label, st[0], st[1], st[2], st[3]));
            for (Anomaly a : Anomaly.values()) {
                long n = anomalies.get(label).getOrDefault(a, 0L);
                long bad = violating.get(label).getOrDefault(a, 0L);
                sb.append(String.format(" %" + columnWidth(a) + "s", bad > 0 ? n + " !" + bad : Long.toString(n)));
            }
            sb.append('\n');
        }
        sb.append("(counts are measured; \"!n\" = n of them where the setting promises none)\n");
        return sb.toString();
    }
}
