package io.sluice.bench.broker;

import io.sluice.bench.broker.cleaner.CleanerPlan;
import io.sluice.bench.broker.cleaner.CleanerResult;
import io.sluice.bench.broker.cleaner.CleanerStep;
import io.sluice.bench.broker.cleaner.LogDirView;
import io.sluice.bench.broker.report.RunResults;
import io.sluice.bench.broker.launch.BrokerStartException;
import io.sluice.bench.broker.launch.BrokerTarget;
import io.sluice.bench.broker.launch.PageCache;
import io.sluice.bench.broker.launch.RunningBroker;
import io.sluice.bench.broker.workload.ConsumeLoad;
import io.sluice.bench.broker.workload.RebalanceLoad;
import io.sluice.bench.broker.workload.ShareConsumeLoad;
import io.sluice.bench.broker.workload.EndToEndLoad;
import io.sluice.bench.broker.workload.LoadContext;
import io.sluice.bench.broker.workload.LoadResult;
import io.sluice.bench.broker.workload.LoadSettings;
import io.sluice.bench.broker.workload.ProduceLoad;
import io.sluice.bench.broker.workload.Replication;
import io.sluice.bench.broker.workload.Topics;
import io.sluice.bench.broker.workload.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Runs the plan: for each repetition, each available broker in turn (baseline then candidate, so
 * the order is A B A B ...) is started fresh in its own directory, runs every workload, and is
 * stopped and its data deleted before the next one starts, so they never share the machine.
 * A workload that fails is recorded with its error and the run goes on. With a {@link CleanerPlan},
 * the log cleaner step runs after the workloads, on the same broker. Single-threaded (the
 * loads start their own client threads); one instance per run.
 */
final class Harness {
    /** Rough cost of a broker start and stop, and of one workload's setup, for the time-left estimate. */
    private static final long START_ESTIMATE_NS = 30_000_000_000L;
    private static final long SETUP_ESTIMATE_NS = 3_000_000_000L;
    private static final double CONSUME_MIB_PER_SEC_ESTIMATE = 100;
    /** Forming a group of ten, then three joins and leaves at a heartbeat interval or two each. */
    private static final long REBALANCE_ESTIMATE_NS = 60_000_000_000L;
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final List<BrokerTarget> targets;
    private final List<Workload> plan;
    /** The cleaner step, or null: not run. */
    private final CleanerPlan cleaner;
    private final LoadSettings settings;
    private final Duration brokerWarmup;
    private final int repetitions;
    private final boolean counterbalance;
    private final Path workDir;
    private final Path outDir;
    private final PrintStream out;

    Harness(List<BrokerTarget> targets, List<Workload> plan, CleanerPlan cleaner, LoadSettings settings,
            Duration brokerWarmup, int repetitions, boolean counterbalance, Path workDir, Path outDir, PrintStream out) {
        this.counterbalance = counterbalance;
        this.cleaner = cleaner;
        this.targets = List.copyOf(targets);
        this.plan = List.copyOf(plan);
        this.settings = settings;
        this.brokerWarmup = brokerWarmup;
        this.repetitions = repetitions;
        this.workDir = workDir;
        this.outDir = outDir;
        this.out = out;
    }

    /** Runs everything; returns the results (not yet written anywhere). */
    RunResults run(String mode, Map<String, String> settingsShown) throws InterruptedException {
        String startedAt = Instant.now().toString();
        Map<String, String> unavailable = new LinkedHashMap<>();
        List<BrokerTarget> runnable = new ArrayList<>();
        for (BrokerTarget target : targets) {
            target.unavailableReason().ifPresentOrElse(why -> unavailable.put(target.name(), why), () -> runnable.add(target));
        }
        unavailable.forEach((name, why) -> out.println("NOTE: " + name + " not measured: " + why));
        List<LoadResult> results = new ArrayList<>();
        List<CleanerResult> cleanerRuns = new ArrayList<>();
        int steps = repetitions * runnable.size() * (plan.size() + (cleaner == null ? 0 : 1));
        try (Progress progress = new Progress(out, steps, estimateNs(runnable.size()))) {
            for (int rep = 1; rep <= repetitions; rep++) {
                List<BrokerTarget> order = new ArrayList<>(runnable);
                if (counterbalance && rep % 2 == 0) {
                    // A B, B A, A B, ...: a drift in the machine's load over the run hits both alike.
                    Collections.reverse(order);
                }
                for (BrokerTarget target : order) {
                    results.addAll(runBroker(target, rep, progress, cleanerRuns));
                }
            }
        }
        return new RunResults(startedAt, Instant.now().toString(), mode, machine(), settingsShown,
                targets.get(0).name(), targets.size() > 1 ? targets.get(1).name() : null, unavailable, plan, results, cleanerRuns);
    }

    private List<LoadResult> runBroker(BrokerTarget target, int rep, Progress progress, List<CleanerResult> cleanerRuns)
            throws InterruptedException {
        String name = target.name();
        Path dir = workDir.resolve(name + "-r" + rep);
        deleteTree(dir);
        List<LoadResult> results = new ArrayList<>();
        progress.step(String.format(Locale.ROOT, "rep %d/%d · %s · starting", rep, repetitions, name), -1);
        progress.live().phase("settle page cache", 0);
        PageCache.settle();
        progress.live().phase("format and start", 0);
        RunningBroker broker;
        try {
            broker = target.start(dir);
        } catch (BrokerStartException e) {
            progress.note("ERROR: " + name + " did not start (rep " + rep + "): " + e.getMessage());
            plan.forEach(w -> {
                results.add(LoadResult.failed(w, name, rep, "broker did not start: " + firstLine(e.getMessage())));
                progress.stepDone();
            });
            if (cleaner != null) {
                cleanerRuns.add(CleanerResult.failed(name, rep, "broker did not start: " + firstLine(e.getMessage())));
                progress.stepDone();
            }
            keepLogs(dir, name, rep);
            return results;
        }
        Admin admin = Admin.create(adminProps(broker.bootstrap()));
        try {
            LoadContext ctx = new LoadContext(name, rep, broker.bootstrap(), List.of(broker.pid()), admin,
                    Replication.NONE, settings, progress.live());
            warmUp(ctx, brokerWarmup, repetitions, progress);
            for (Workload workload : plan) {
                progress.step(String.format(Locale.ROOT, "rep %d/%d · %s · %s", rep, repetitions, name, workload.label()),
                        broker.pid());
                LoadResult result = broker.isAlive()
                        ? runWorkload(ctx, workload, ctx.topic(workload), out)
                        : LoadResult.failed(workload, name, rep, "broker exited: " + firstLine(broker.logTail(5)));
                results.add(result);
                progress.stepDone();
                progress.note(describe(result, workload));
            }
            if (cleaner != null) {
                cleanerRuns.add(cleanerStep(ctx, broker, target.dataDir(dir), progress));
            }
        } finally {
            // Bounded: a broker that stopped answering must not hold the run in Admin.close().
            admin.close(ADMIN_CLOSE_TIMEOUT);
            broker.stop();
            keepLogs(dir, name, rep);
            deleteTree(dir);
        }
        return results;
    }

    private CleanerResult cleanerStep(LoadContext ctx, RunningBroker broker, Path dataDir, Progress progress)
            throws InterruptedException {
        progress.step(String.format(Locale.ROOT, "rep %d/%d · %s · log cleaner, %d MiB", ctx.rep(), repetitions,
                ctx.broker(), cleaner.dataBytes() >> 20), broker.pid());
        CleanerResult result = broker.isAlive()
                ? CleanerStep.run(ctx, new LogDirView(dataDir), cleaner)
                : CleanerResult.failed(ctx.broker(), ctx.rep(), "broker exited: " + firstLine(broker.logTail(5)));
        progress.stepDone();
        progress.note(String.format(Locale.ROOT, "  %-7s r%d %-34s %s", ctx.broker(), ctx.rep(), "log cleaner",
                result.ok() ? String.format(Locale.ROOT, "%,d MiB dirty in %.2f s: %.1f MiB/s (%,d MiB left) · produce p99 "
                                + "%.2f ms without, %.2f ms during (%.2f×) · others %.2f cores",
                        result.dirtyBytes() >> 20, result.cleanSeconds(), result.cleanedMibPerSec(), result.bytesAfter() >> 20,
                        result.without().p99Ms(), result.during().p99Ms(), result.p99Ratio(), result.otherCores())
                        : "FAILED: " + firstLine(result.error())));
        return result;
    }

    /**
     * A freshly started JVM interprets, then compiles its hot paths: before the first measured
     * workload each broker gets the same produce load on a throwaway topic, so that no workload
     * measures a JIT warming up (the per-workload warmup is then about the clients and the topic).
     */
    static void warmUp(LoadContext ctx, Duration brokerWarmup, int repetitions, Progress progress)
            throws InterruptedException {
        if (brokerWarmup.isZero()) {
            return;
        }
        progress.step(String.format(Locale.ROOT, "rep %d/%d · %s · broker JIT warm-up", ctx.rep(), repetitions,
                ctx.broker()), ctx.pids().get(0));
        LoadContext warm = ctx.with(new LoadSettings(Duration.ZERO, brokerWarmup, 0, ctx.settings().idempotence(),
                ctx.settings().producerProps()));
        // acks=all on a cluster, as its workloads: the warm-up then also exercises replication.
        String acks = ctx.replication().factor() > 1 ? "all" : "1";
        LoadResult result = runWorkload(warm, Workload.produce(8, acks, 0), "bench-broker-warmup-r" + ctx.rep(), progress.out());
        if (!result.ok()) {
            progress.note("NOTE: " + ctx.broker() + " warm-up failed: " + result.error());
        }
    }

    /** Creates the workload's topic, runs the workload, deletes the topic; a failure is a result with its error. */
    static LoadResult runWorkload(LoadContext ctx, Workload workload, String topic, PrintStream out)
            throws InterruptedException {
        ctx.live().phase("settle page cache", 0);
        PageCache.settle();
        ctx.live().phase("create topic", 0);
        try {
            Topics.create(ctx.admin(), topic, workload.partitions(), ctx.replication());
            ctx.live().phase("first write to each partition", 0);
            Topics.awaitWritable(ctx, topic, workload.partitions(), ProduceLoad.payload());
        } catch (Exception e) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "create topic: " + e);
        }
        try {
            return switch (workload.kind()) {
                case PRODUCE -> ProduceLoad.run(ctx, workload, topic);
                case CONSUME -> ConsumeLoad.run(ctx, workload, topic);
                case END_TO_END -> EndToEndLoad.run(ctx, workload, topic);
                case REBALANCE -> RebalanceLoad.run(ctx, workload, topic);
                case SHARE_CONSUME -> ShareConsumeLoad.run(ctx, workload, topic);
            };
        } catch (RuntimeException e) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), e.toString());
        } finally {
            ctx.live().phase("delete topic", 0);
            String notDeleted = Topics.delete(ctx.admin(), topic);
            if (notDeleted != null && ctx.rep() == 1) {
                out.println("\nNOTE: " + ctx.broker() + " did not delete " + topic + ": " + notDeleted);
            }
        }
    }

    static String describe(LoadResult r, Workload workload) {
        String head = String.format(Locale.ROOT, "  %-7s r%d %-34s ", r.broker(), r.rep(), workload.label());
        if (!r.ok()) {
            return head + "FAILED: " + firstLine(r.error());
        }
        String latency = r.latency() == null ? "" : String.format(Locale.ROOT, " p99 %.2f ms p99.9 %.2f ms",
                r.latency().p99Ms(), r.latency().p999Ms());
        return head + String.format(Locale.ROOT, "%,10.0f rec/s %7.1f MiB/s%s · CPU %.2f s/GiB · peak RSS %,d MiB",
                r.recordsPerSec(), r.mibPerSec(), latency, r.cpuSecPerGib(), r.peakRssBytes() >> 20)
                + (Double.isNaN(r.otherCores()) ? "" : String.format(Locale.ROOT, " · others %.2f cores", r.otherCores()))
                + (r.errors() > 0 ? " · " + r.errors() + " errors" : "");
    }

    private long estimateNs(int brokers) {
        long perRep = START_ESTIMATE_NS + brokerWarmup.toNanos();
        for (Workload workload : plan) {
            perRep += SETUP_ESTIMATE_NS + switch (workload.kind()) {
                case PRODUCE, END_TO_END -> settings.warmup().toNanos() + settings.duration().toNanos();
                case CONSUME, SHARE_CONSUME -> (long) (2e9 * settings.consumeBytes() / 1048576.0 / CONSUME_MIB_PER_SEC_ESTIMATE);
                case REBALANCE -> REBALANCE_ESTIMATE_NS;
            };
        }
        if (cleaner != null) {
            // Written, then cleaned: about two passes over the data, plus the latency windows.
            perRep += SETUP_ESTIMATE_NS + (long) (2e9 * cleaner.dataBytes() / 1048576.0 / CONSUME_MIB_PER_SEC_ESTIMATE)
                    + cleaner.warmup().toNanos() + cleaner.baseline().toNanos();
        }
        return perRep * brokers * repetitions;
    }

    private void keepLogs(Path dir, String name, int rep) {
        keepLogs(dir.resolve("logs"), outDir.resolve("logs").resolve(name + "-r" + rep), out);
    }

    /** Copies the broker's log files out of its directory before the directory is deleted. */
    static void keepLogs(Path logs, Path target, PrintStream out) {
        if (!Files.isDirectory(logs)) {
            return;
        }
        try (Stream<Path> files = Files.list(logs)) {
            Files.createDirectories(target);
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            out.println("NOTE: cannot keep logs of " + logs + ": " + e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    static Properties adminProps(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-bench-admin");
        return props;
    }

    static Map<String, String> machine() {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        try {
            String memTotal = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
            machine.put("memory", memTotal.replace("MemTotal: ", ""));
            machine.put("cpu model", Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst().map(l -> l.replaceFirst(".*:\\s*", "")).orElse("?"));
        } catch (IOException | RuntimeException e) {
            machine.put("memory", "?");
        }
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return machine;
    }

    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
