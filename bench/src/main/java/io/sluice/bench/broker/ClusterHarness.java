package io.sluice.bench.broker;

import io.sluice.bench.broker.launch.BrokerStartException;
import io.sluice.bench.broker.launch.ClusterLayout;
import io.sluice.bench.broker.launch.ClusterTarget;
import io.sluice.bench.broker.launch.PageCache;
import io.sluice.bench.broker.launch.RunningCluster;
import io.sluice.bench.broker.report.RunResults;
import io.sluice.bench.broker.workload.FailoverLoad;
import io.sluice.bench.broker.workload.FailoverResult;
import io.sluice.bench.broker.workload.IsrResult;
import io.sluice.bench.broker.workload.LoadContext;
import io.sluice.bench.broker.workload.LoadResult;
import io.sluice.bench.broker.workload.LoadSettings;
import io.sluice.bench.broker.workload.Replication;
import io.sluice.bench.broker.workload.SteadyLoad;
import io.sluice.bench.broker.workload.Topics;
import io.sluice.bench.broker.workload.Workload;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.kafka.clients.admin.Admin;

/**
 * Runs the plan against N-node clusters: for each repetition, each system in turn (A B A B ...)
 * starts all its nodes fresh (one system's nodes at a time: never both on the machine), runs the
 * workloads on topics replicated on every node, then the ISR-stability run at half the produce
 * rate it just measured, then the failover kills; then every node is stopped and the data
 * deleted. A step that fails is recorded with its error and the run goes on. Single-threaded (the
 * loads start their own client threads); one instance per run.
 */
final class ClusterHarness {
    private static final long START_ESTIMATE_NS = 60_000_000_000L;
    private static final long STEP_ESTIMATE_NS = 5_000_000_000L;
    private static final long FAILOVER_RUN_ESTIMATE_NS = 30_000_000_000L;
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final List<ClusterTarget> targets;
    private final int nodes;
    private final List<Workload> plan;
    private final ClusterChecks checks;
    private final LoadSettings settings;
    private final Duration brokerWarmup;
    private final int repetitions;
    private final boolean counterbalance;
    private final Path workDir;
    private final Path outDir;
    private final PrintStream out;
    private final List<LoadResult> results = new ArrayList<>();
    private final List<IsrResult> isrRuns = new ArrayList<>();
    private final List<FailoverResult> failovers = new ArrayList<>();

    ClusterHarness(List<ClusterTarget> targets, int nodes, List<Workload> plan, ClusterChecks checks,
                   LoadSettings settings, Duration brokerWarmup, int repetitions, boolean counterbalance, Path workDir,
                   Path outDir, PrintStream out) {
        this.targets = List.copyOf(targets);
        this.nodes = nodes;
        this.plan = List.copyOf(plan);
        this.checks = checks;
        this.settings = settings;
        this.brokerWarmup = brokerWarmup;
        this.repetitions = repetitions;
        this.counterbalance = counterbalance;
        this.workDir = workDir;
        this.outDir = outDir;
        this.out = out;
    }

    RunResults run(String mode, Map<String, String> settingsShown) throws InterruptedException {
        String startedAt = Instant.now().toString();
        Map<String, String> unavailable = new LinkedHashMap<>();
        List<ClusterTarget> runnable = new ArrayList<>();
        for (ClusterTarget target : targets) {
            target.unavailableReason().ifPresentOrElse(why -> unavailable.put(target.name(), why), () -> runnable.add(target));
        }
        unavailable.forEach((name, why) -> out.println("NOTE: " + name + " not measured: " + why));
        int steps = repetitions * runnable.size() * (plan.size() + (checks.isr() ? 1 : 0) + (checks.failover() ? 1 : 0));
        try (Progress progress = new Progress(out, steps, estimateNs(runnable.size()))) {
            for (int rep = 1; rep <= repetitions; rep++) {
                List<ClusterTarget> order = new ArrayList<>(runnable);
                if (counterbalance && rep % 2 == 0) {
                    Collections.reverse(order);
                }
                for (ClusterTarget target : order) {
                    runCluster(target, rep, progress);
                }
            }
        }
        return new RunResults(startedAt, Instant.now().toString(), mode, Harness.machine(), settingsShown,
                targets.get(0).name(), targets.size() > 1 ? targets.get(1).name() : null, unavailable, plan, results,
                nodes, isrRuns, failovers, List.of());
    }

    private void runCluster(ClusterTarget target, int rep, Progress progress) throws InterruptedException {
        String name = target.name();
        Path dir = workDir.resolve(name + "-r" + rep);
        Harness.deleteTree(dir);
        progress.step(String.format(Locale.ROOT, "rep %d/%d · %s · starting %d nodes", rep, repetitions, name, nodes), -1);
        progress.live().phase("settle page cache", 0);
        PageCache.settle();
        progress.live().phase("format and start", 0);
        RunningCluster cluster;
        try {
            cluster = target.start(dir, ClusterLayout.onFreePorts(nodes));
        } catch (BrokerStartException e) {
            progress.note("ERROR: " + name + " cluster did not start (rep " + rep + "): " + Harness.firstLine(e.getMessage()));
            failAll(name, rep, "cluster did not start: " + Harness.firstLine(e.getMessage()), progress);
            for (int id = 1; id <= nodes; id++) {
                Harness.keepLogs(dir.resolve("node-" + id).resolve("logs"), logsOut(name, rep, id), out);
            }
            Harness.deleteTree(dir);
            return;
        }
        Admin admin = Admin.create(Harness.adminProps(cluster.bootstrap()));
        try {
            LoadContext ctx = new LoadContext(name, rep, cluster.bootstrap(), cluster.pids(), admin,
                    Replication.acrossAll(nodes), settings, progress.live());
            Harness.warmUp(ctx, brokerWarmup, repetitions, progress);
            List<LoadResult> mine = new ArrayList<>();
            for (Workload workload : plan) {
                progress.step(String.format(Locale.ROOT, "rep %d/%d · %s · %s", rep, repetitions, name, workload.label()),
                        ctx.pids().get(0));
                LoadResult result = cluster.allAlive()
                        ? Harness.runWorkload(ctx, workload, ctx.topic(workload), out)
                        : LoadResult.failed(workload, name, rep, "a node exited: " + Harness.firstLine(cluster.logTail(3)));
                mine.add(result);
                progress.stepDone();
                progress.note(Harness.describe(result, workload));
            }
            results.addAll(mine);
            if (checks.isr()) {
                isrRuns.add(isrStep(ctx, cluster, mine, progress));
            }
            if (checks.failover()) {
                failovers.add(failoverStep(ctx, cluster, progress));
            }
        } finally {
            admin.close(ADMIN_CLOSE_TIMEOUT);
            cluster.stop();
            cluster.logDirs().forEach((id, logs) -> Harness.keepLogs(logs, logsOut(name, rep, id), out));
            Harness.deleteTree(dir);
        }
    }

    private IsrResult isrStep(LoadContext ctx, RunningCluster cluster, List<LoadResult> measured, Progress progress)
            throws InterruptedException {
        progress.step(String.format(Locale.ROOT, "rep %d/%d · %s · ISR stability, %d s", ctx.rep(), repetitions,
                ctx.broker(), checks.isrDuration().toSeconds()), ctx.pids().get(0));
        double rate = checks.isrRatePerSec() > 0 ? checks.isrRatePerSec() : halfOfMaximum(measured).orElse(0);
        IsrResult result;
        String topic = "bench-" + ClusterChecks.ISR_ID + "-r" + ctx.rep();
        if (!(rate > 0)) {
            result = IsrResult.failed(ctx.broker(), ctx.rep(), checks.isrPartitions(), 0,
                    "no measured maximum (no successful produce acks=all workload in this repetition): give --isr-rate");
        } else if (!cluster.allAlive()) {
            result = IsrResult.failed(ctx.broker(), ctx.rep(), checks.isrPartitions(), rate, "a node exited");
        } else {
            result = withTopic(ctx, topic, checks.isrPartitions(),
                    () -> SteadyLoad.run(ctx, topic, checks.isrPartitions(), rate, checks.isrDuration(), checks.isrPoll()),
                    why -> IsrResult.failed(ctx.broker(), ctx.rep(), checks.isrPartitions(), rate, why));
        }
        progress.stepDone();
        progress.note(String.format(Locale.ROOT, "  %-7s r%d %-34s %s", ctx.broker(), ctx.rep(), "ISR stability",
                result.ok() ? String.format(Locale.ROOT, "%,.0f rec/s for %.0f s: %d shrinks, %d expands, min ISR %d, %d observations",
                        result.achievedPerSec(), result.seconds(), result.shrinks(), result.expands(), result.minIsrSize(),
                        result.observations()) : "FAILED: " + result.error()));
        return result;
    }

    private FailoverResult failoverStep(LoadContext ctx, RunningCluster cluster, Progress progress)
            throws InterruptedException {
        progress.step(String.format(Locale.ROOT, "rep %d/%d · %s · failover, %d kills", ctx.rep(), repetitions,
                ctx.broker(), checks.failoverRuns()), -1);
        String topic = "bench-" + ClusterChecks.FAILOVER_ID + "-r" + ctx.rep();
        FailoverResult result = !cluster.allAlive()
                ? new FailoverResult(ctx.broker(), ctx.rep(), List.of(), "a node exited")
                : withTopic(ctx, topic, 1, () -> FailoverLoad.run(ctx, cluster, topic, checks.failoverRuns()),
                        why -> new FailoverResult(ctx.broker(), ctx.rep(), List.of(), why));
        progress.stepDone();
        progress.note(String.format(Locale.ROOT, "  %-7s r%d %-34s %s%s", ctx.broker(), ctx.rep(), "failover (ms)",
                result.runs().stream().map(r -> r.unavailableMs() + " (node " + r.killedNode() + ")").toList(),
                result.ok() ? "" : " FAILED: " + result.error()));
        return result;
    }

    /** The step on a fresh topic replicated on every node; the topic is deleted afterwards. */
    private static <T> T withTopic(LoadContext ctx, String topic, int partitions, Step<T> step, Failure<T> failure)
            throws InterruptedException {
        ctx.live().phase("settle page cache", 0);
        PageCache.settle();
        try {
            Topics.create(ctx.admin(), topic, partitions, ctx.replication());
        } catch (Exception e) {
            return failure.of("create topic: " + e);
        }
        try {
            return step.run();
        } catch (RuntimeException e) {
            return failure.of(e.toString());
        } finally {
            Topics.delete(ctx.admin(), topic);
        }
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws InterruptedException;
    }

    @FunctionalInterface
    private interface Failure<T> {
        T of(String why);
    }

    private Path logsOut(String name, int rep, int nodeId) {
        return outDir.resolve("logs").resolve(name + "-r" + rep).resolve("node-" + nodeId);
    }

    /** Half the best records/s of this cluster's successful produce acks=all workloads. */
    static OptionalDouble halfOfMaximum(List<LoadResult> measured) {
        return measured.stream().filter(r -> r.ok() && r.workload().startsWith("produce-acksall"))
                .mapToDouble(LoadResult::recordsPerSec).max().stream().map(max -> max / 2).findFirst();
    }

    private void failAll(String name, int rep, String why, Progress progress) {
        for (Workload workload : plan) {
            results.add(LoadResult.failed(workload, name, rep, why));
            progress.stepDone();
        }
        if (checks.isr()) {
            isrRuns.add(IsrResult.failed(name, rep, checks.isrPartitions(), 0, why));
            progress.stepDone();
        }
        if (checks.failover()) {
            failovers.add(new FailoverResult(name, rep, List.of(), why));
            progress.stepDone();
        }
    }

    private long estimateNs(int systems) {
        long perRep = START_ESTIMATE_NS + brokerWarmup.toNanos();
        for (Workload workload : plan) {
            perRep += STEP_ESTIMATE_NS + settings.warmup().toNanos() + settings.duration().toNanos();
        }
        if (checks.isr()) {
            perRep += STEP_ESTIMATE_NS + checks.isrDuration().toNanos();
        }
        if (checks.failover()) {
            perRep += STEP_ESTIMATE_NS + checks.failoverRuns() * FAILOVER_RUN_ESTIMATE_NS;
        }
        return perRep * systems * repetitions;
    }
}
