package io.sluice.bench.broker;

import io.sluice.bench.broker.cleaner.CleanerPlan;
import io.sluice.bench.broker.report.ResultsJson;
import io.sluice.bench.broker.report.RunResults;
import io.sluice.bench.broker.launch.BrokerTarget;
import io.sluice.bench.broker.launch.ClusterTarget;
import io.sluice.bench.broker.launch.KafkaClusterTarget;
import io.sluice.bench.broker.launch.KafkaTarget;
import io.sluice.bench.broker.launch.SluiceClusterTarget;
import io.sluice.bench.broker.launch.SluiceTarget;
import io.sluice.bench.broker.workload.LoadSettings;
import io.sluice.bench.broker.workload.Replication;
import io.sluice.bench.broker.workload.Workload;
import io.sluice.bench.broker.workload.WorkloadPlan;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/sluice bench}: Apache Kafka 4.4.0 and Sluice side by side on this machine, in one run,
 * alternating A B A B, reported as Sluice/Kafka ratios (report.md, results.json, PNG charts).
 * The entry point; one instance per invocation.
 */
@Command(name = "sluice bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the same workloads against Apache Kafka 4.4.0 and Sluice on this machine, one broker",
                "process at a time, alternating over the repetitions, and writes report.md (medians and",
                "Sluice/Kafka ratios), results.json and PNG charts.", ""},
        footer = {"", "Examples:", "  bin/sluice bench --mode quick", "  bin/sluice bench --mode full",
                "  bin/sluice bench --candidate kafka --mode smoke    (Kafka against itself: ratios near 1)",
                "  bin/sluice bench --nodes 3 --mode smoke            (3-node clusters: throughput, p99.9, RSS, ISR, failover)",
                "  bin/sluice bench --render bench/target/side-by-side/<run>/results.json"})
public final class SideBySide implements Callable<Integer> {

    /** Presets: repetitions, broker warm-up s, warmup s, measured s, MiB per consume workload. */
    enum Mode {
        SMOKE(1, 2, 1, 2, 16), QUICK(2, 5, 2, 3, 64), FULL(3, 20, 5, 15, 1024);

        final int repetitions;
        final int brokerWarmupSeconds;
        final int warmupSeconds;
        final int durationSeconds;
        final int consumeMib;

        Mode(int repetitions, int brokerWarmupSeconds, int warmupSeconds, int durationSeconds, int consumeMib) {
            this.repetitions = repetitions;
            this.brokerWarmupSeconds = brokerWarmupSeconds;
            this.warmupSeconds = warmupSeconds;
            this.durationSeconds = durationSeconds;
            this.consumeMib = consumeMib;
        }
    }

    @Option(names = "--mode", description = "smoke (seconds, for CI), quick (~5 min, default) or full (~1 h: every combination, 3 repetitions)")
    Mode mode = Mode.QUICK;

    @Option(names = "--candidate", description = "What to compare with Kafka: sluice (default), kafka (a self-check), or none")
    String candidate = "sluice";

    @Option(names = "--baseline", description = "What the candidate is compared with: kafka (default), or sluice "
            + "configured with --baseline-sluice-prop (e.g. metrics off against on); one node only")
    String baseline = "kafka";

    @Option(names = "--baseline-sluice-prop", description = "With --baseline sluice: a server.properties setting key=value "
            + "of the baseline Sluice, over --sluice-prop (empty value removes)")
    Map<String, String> baselineSluiceProps = new LinkedHashMap<>();

    @Option(names = "--reps", description = "Repetitions per broker (default from --mode)")
    Integer repetitions;

    @Option(names = "--broker-warmup-seconds", description = "Produce load on a throwaway topic after each broker start, before the first workload (JIT; default from --mode)")
    Integer brokerWarmupSeconds;

    @Option(names = "--warmup-seconds", description = "Load before each measured window (default from --mode)")
    Integer warmupSeconds;

    @Option(names = "--duration-seconds", description = "Measured window of produce and e2e workloads (default from --mode)")
    Integer durationSeconds;

    @Option(names = "--consume-mib", description = "MiB written then read by each consume workload (default from --mode)")
    Integer consumeMib;

    @Option(names = "--partitions", split = ",", description = "Partition counts (default 1,8,64; with --nodes: 8)")
    List<Integer> partitions;

    @Option(names = "--nodes", description = "Nodes per broker cluster (default 1). With more, each system runs as an N-node "
            + "cluster (combined mode, every node a voter), topics replicated on every node (min.insync.replicas N-1), "
            + "and the run adds the ISR-stability and failover steps")
    int nodes = 1;

    @Option(names = "--isr-seconds", description = "Cluster: length of the ISR-stability run (default 300; smoke 5)")
    Integer isrSeconds;

    @Option(names = "--isr-rate", description = "Cluster: records/s of the ISR-stability run (default: half of the "
            + "produce acks=all records/s the same cluster just measured)")
    int isrRate;

    @Option(names = "--isr-poll-ms", description = "Cluster: how often the ISR is described during that run (default 500)")
    int isrPollMs = 500;

    @Option(names = "--failover-runs", description = "Cluster: kill -9 runs per repetition (default 5; smoke 1)")
    Integer failoverRuns;

    @Option(names = "--rates", split = ",", description = "End-to-end rates in records/s (default 5000,20000)")
    List<Integer> rates = List.of(5_000, 20_000);

    @Option(names = "--groups", description = "Run the group workloads instead: the time for a group of 10 to be stable "
            + "again after one member joins (group.protocol consumer and classic), and share-group consume with 1, 3 "
            + "and 10 consumers on one partition (Sluice gets sluice.share.version=1 unless --sluice-prop sets it)")
    boolean groups;

    @Option(names = "--workloads", description = "Only workloads whose id matches this regex, e.g. 'produce|e2e'")
    String workloadFilter;

    @Option(names = "--cleaner-mib", description = "Log cleaner step (runs when --workloads matches 'cleaner'): MiB "
            + "written to the compacted topic, each key 10 times (default 1024; smoke 16)")
    Integer cleanerMib;

    @Option(names = "--cleaner-io-max-bytes-per-second", description = "Log cleaner step: log.cleaner.io.max.bytes.per.second "
            + "on both brokers (default: Kafka's, unlimited)")
    long cleanerIoBytesPerSecondMax;

    @Option(names = "--cleaner-rate", description = "Log cleaner step: records/s of the producer whose p99 is taken "
            + "without and during the cleaning (default 5000)")
    int cleanerRate = 5_000;

    @Option(names = "--cleaner-baseline-seconds", description = "Log cleaner step: that producer's window without "
            + "cleaning (default 10; smoke 2)")
    Integer cleanerBaselineSeconds;

    @Option(names = "--counterbalance", description = "Reverse the broker order on even repetitions (A B, B A, ...) instead of A B, A B")
    boolean counterbalance;

    @Option(names = "--idempotence", description = "enable.idempotence=true for acks=all producers (both brokers)")
    boolean idempotence;

    @Option(names = "--producer-prop", description = "Producer config key=value over the client defaults, for both brokers "
            + "(e.g. linger.ms=0 to take the client's 5 ms linger out of end-to-end latency)")
    Map<String, String> producerProps = new LinkedHashMap<>();

    @Option(names = "--home", description = "The Sluice checkout (holds bin/sluice; default: current directory)")
    Path home = Path.of(".");

    @Option(names = "--kafka-classpath", description = "Kafka broker classpath file (default <home>/bench/target/kafka-broker.classpath)")
    Path kafkaClasspath;

    @Option(names = "--sluice-prop", description = "Extra Sluice server.properties setting key=value ({port}, {controllerPort}, {dataDir} are filled in; empty value removes)")
    Map<String, String> sluiceProps = new LinkedHashMap<>();

    @Option(names = "--out", description = "Report directory (default <home>/bench/target/side-by-side/<timestamp>)")
    Path outDir;

    @Option(names = "--work-dir", description = "Where brokers keep their data during the run (default <out>/work)")
    Path workDir;

    @Option(names = "--render", description = "Only redraw report.md and the PNGs from an earlier results.json")
    Path render;

    /** Partitions of a cluster's topics unless --partitions says: the single-node quick mode's middle count. */
    private static final int CLUSTER_PARTITIONS = 8;
    /** Partitions of the rebalance workloads' topic: 3 per member of a group of 10, 2 or 3 with the joiner. */
    private static final int GROUP_PARTITIONS = 30;
    /** The log: 10 % of the records live. */
    private static final int CLEANER_WRITES_PER_KEY = 10;
    private static final long CLEANER_SEED = 16;
    /** The e2e workloads' partition count. */
    private static final int CLEANER_LOAD_PARTITIONS = 8;
    private static final Duration CLEANER_TIMEOUT = Duration.ofMinutes(10);

    private final PrintStream out;

    public SideBySide(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new SideBySide(System.out)).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** Runs the command in this JVM (tests); returns the exit code. */
    public static int run(PrintStream out, String... args) {
        System.setProperty("java.awt.headless", "true");
        return new CommandLine(new SideBySide(out)).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        if (render != null) {
            RunResults previous = ResultsJson.read(render);
            ResultsJson.writeReport(previous, render.toAbsolutePath().getParent());
            out.println("Redrew " + render.toAbsolutePath().getParent().resolve("report.md"));
            return 0;
        }
        Path root = home.toAbsolutePath().normalize();
        Path out = outDir != null ? outDir : root.resolve("bench/target/side-by-side")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path work = workDir != null ? workDir : out.resolve("work");
        Files.createDirectories(out);
        LoadSettings settings = new LoadSettings(Duration.ofSeconds(or(warmupSeconds, mode.warmupSeconds)),
                Duration.ofSeconds(or(durationSeconds, mode.durationSeconds)),
                (long) or(consumeMib, mode.consumeMib) << 20, idempotence, producerProps);
        int reps = or(repetitions, mode.repetitions);
        if (nodes > 1) {
            if (!baseline.equals("kafka")) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--baseline sluice runs one node only");
            }
            return runClusters(root, out, work, settings, reps);
        }
        List<Workload> plan = plan();
        CleanerPlan cleaner = cleanerPlan(settings);
        if (plan.isEmpty() && cleaner == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "no workload matches --workloads " + workloadFilter);
        }
        if (groups) {
            sluiceProps.putIfAbsent("sluice.share.version", "1");
        }
        List<BrokerTarget> targets = targets(root, cleaner == null ? Map.of() : CleanerPlan.brokerSettings(cleanerIoBytesPerSecondMax));
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("repetitions", Integer.toString(reps));
        shown.put("warmup", settings.warmup().toSeconds() + " s");
        shown.put("measured window", settings.duration().toSeconds() + " s (produce, e2e)");
        shown.put("consume data", (settings.consumeBytes() >> 20) + " MiB per consume workload");
        shown.put("enable.idempotence", Boolean.toString(idempotence));
        producerProps.forEach((k, v) -> shown.put("producer " + k, v));
        shown.put("Kafka JVM flags", String.join(" ", KafkaTarget.jvmFlags()));
        sluiceProps.forEach((k, v) -> shown.put("sluice " + k, v));
        baselineSluiceProps.forEach((k, v) -> shown.put("sluice-baseline " + k, v));
        if (cleaner != null) {
            shown.put("log cleaner step", String.format("%d MiB of 1 KiB records (seed %d), each key %d times; produce "
                    + "p99 at %d records/s, acks=1, %d partitions, %d s warm-up, %d s without cleaning", cleaner.dataBytes() >> 20,
                    cleaner.seed(), cleaner.writesPerKey(), cleaner.ratePerSec(), cleaner.loadPartitions(),
                    cleaner.warmup().toSeconds(), cleaner.baseline().toSeconds()));
            CleanerPlan.brokerSettings(cleanerIoBytesPerSecondMax).forEach((k, v) -> shown.put("both brokers " + k, v));
        }
        this.out.printf("Side by side, mode %s: %d workloads%s × %d repetitions × %s; report in %s%n",
                mode.name().toLowerCase(), plan.size(), cleaner == null ? "" : " + log cleaner", reps, targets.stream().map(BrokerTarget::name).toList(), out);
        Duration brokerWarmup = Duration.ofSeconds(or(brokerWarmupSeconds, mode.brokerWarmupSeconds));
        shown.put("order", counterbalance ? "A B, B A, … (counterbalanced)" : "A B, A B, …");
        shown.put("broker warm-up", brokerWarmup.toSeconds() + " s of produce load after each start");
        RunResults results = new Harness(targets, plan, cleaner, settings, brokerWarmup, reps, counterbalance, work, out, this.out)
                .run(mode.name().toLowerCase(), shown);
        Harness.deleteTree(work);
        ResultsJson.writeReport(results, out);
        this.out.println("Report: " + out.resolve("report.md"));
        this.out.println("JSON:   " + out.resolve("results.json"));
        this.out.println("Charts: " + out.resolve("throughput.png") + ", latency.png, cost.png");
        return 0;
    }

    private Integer runClusters(Path root, Path out, Path work, LoadSettings settings, int reps) throws Exception {
        if (nodes < 3) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--nodes must be 1 or at least 3 (a quorum "
                    + "that survives a kill), not " + nodes);
        }
        List<Integer> counts = partitions != null ? partitions : List.of(CLUSTER_PARTITIONS);
        String modeName = mode.name().toLowerCase();
        List<Workload> plan = WorkloadPlan.cluster(modeName, counts, rates);
        Pattern filter = Pattern.compile(workloadFilter == null ? "" : workloadFilter);
        if (workloadFilter != null) {
            plan = WorkloadPlan.filter(plan, workloadFilter);
        }
        boolean smoke = mode == Mode.SMOKE;
        ClusterChecks checks = new ClusterChecks(filter.matcher(ClusterChecks.ISR_ID).find(),
                Duration.ofSeconds(or(isrSeconds, smoke ? 5 : 300)), isrRate, Duration.ofMillis(isrPollMs), counts.get(0),
                filter.matcher(ClusterChecks.FAILOVER_ID).find(), or(failoverRuns, smoke ? 1 : 5));
        if (plan.isEmpty() && !checks.isr() && !checks.failover()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "no workload matches --workloads " + workloadFilter);
        }
        Path classpath = kafkaClasspath != null ? kafkaClasspath : root.resolve("bench/target/kafka-broker.classpath");
        List<ClusterTarget> targets = new ArrayList<>();
        targets.add(new KafkaClusterTarget("kafka", classpath));
        switch (candidate) {
            case "sluice" -> targets.add(new SluiceClusterTarget(root, sluiceProps));
            case "kafka" -> targets.add(new KafkaClusterTarget("kafka-b", classpath));
            case "none" -> {
            }
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--candidate must be sluice, kafka or none, not " + candidate);
        }
        Duration brokerWarmup = Duration.ofSeconds(or(brokerWarmupSeconds, mode.brokerWarmupSeconds));
        Replication replication = Replication.acrossAll(nodes);
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("nodes", nodes + " per system (combined broker + controller, every node a voter), one system's nodes at a time");
        shown.put("topics", "replication factor " + replication.factor() + ", min.insync.replicas "
                + replication.minInsyncReplicas() + " (topic config, the same for both)");
        shown.put("repetitions", Integer.toString(reps));
        shown.put("warmup", settings.warmup().toSeconds() + " s");
        shown.put("measured window", settings.duration().toSeconds() + " s (produce, e2e)");
        shown.put("enable.idempotence", Boolean.toString(idempotence));
        producerProps.forEach((k, v) -> shown.put("producer " + k, v));
        shown.put("Kafka JVM flags", String.join(" ", KafkaTarget.jvmFlags()));
        shown.put("order", counterbalance ? "A B, B A, … (counterbalanced)" : "A B, A B, …");
        shown.put("broker warm-up", brokerWarmup.toSeconds() + " s of produce load after each cluster start");
        if (checks.isr()) {
            shown.put("ISR stability", checks.isrDuration().toSeconds() + " s at " + (isrRate > 0 ? isrRate + " records/s"
                    : "half the produce acks=all records/s of the same cluster") + ", " + checks.isrPartitions()
                    + " partitions, ISR described every " + isrPollMs + " ms");
        }
        if (checks.failover()) {
            shown.put("failover", checks.failoverRuns() + " kills -9 of the partition leader per repetition");
        }
        this.out.printf("Side by side, %d-node clusters, mode %s: %d workloads%s%s × %d repetitions × %s; report in %s%n",
                nodes, modeName, plan.size(), checks.isr() ? " + ISR stability" : "", checks.failover() ? " + failover" : "",
                reps, targets.stream().map(ClusterTarget::name).toList(), out);
        RunResults results = new ClusterHarness(targets, nodes, plan, checks, settings, brokerWarmup, reps, counterbalance,
                work, out, this.out).run(modeName, shown);
        Harness.deleteTree(work);
        ResultsJson.writeReport(results, out);
        this.out.println("Report: " + out.resolve("report.md"));
        this.out.println("JSON:   " + out.resolve("results.json"));
        return 0;
    }

    private List<Workload> plan() {
        if (groups) {
            List<Workload> plan = WorkloadPlan.groups(partitions != null ? partitions : List.of(GROUP_PARTITIONS));
            return workloadFilter == null ? plan : WorkloadPlan.filter(plan, workloadFilter);
        }
        List<Integer> counts = partitions != null ? partitions : List.of(1, 8, 64);
        List<Workload> plan = switch (mode) {
            case SMOKE -> WorkloadPlan.smoke(counts, rates);
            case QUICK -> WorkloadPlan.quick(counts, rates);
            case FULL -> WorkloadPlan.full(counts, rates);
        };
        return workloadFilter == null ? plan : WorkloadPlan.filter(plan, workloadFilter);
    }

    /** The cleaner step if {@code --workloads} asks for it (it writes a gigabyte per broker: never by default). */
    private CleanerPlan cleanerPlan(LoadSettings settings) {
        if (workloadFilter == null || !Pattern.compile(workloadFilter).matcher(CleanerPlan.ID).find()) {
            return null;
        }
        boolean smoke = mode == Mode.SMOKE;
        return new CleanerPlan((long) or(cleanerMib, smoke ? 16 : 1024) << 20, CLEANER_WRITES_PER_KEY, CLEANER_SEED,
                cleanerRate, CLEANER_LOAD_PARTITIONS, settings.warmup(),
                Duration.ofSeconds(or(cleanerBaselineSeconds, smoke ? 2 : 10)), CLEANER_TIMEOUT);
    }

    private List<BrokerTarget> targets(Path root, Map<String, String> brokerSettings) {
        Path classpath = kafkaClasspath != null ? kafkaClasspath : root.resolve("bench/target/kafka-broker.classpath");
        List<BrokerTarget> targets = new ArrayList<>();
        switch (baseline) {
            case "kafka" -> targets.add(new KafkaTarget("kafka", classpath, brokerSettings));
            case "sluice" -> {
                Map<String, String> props = new LinkedHashMap<>(brokerSettings);
                props.putAll(sluiceProps);
                props.putAll(baselineSluiceProps);
                targets.add(new SluiceTarget("sluice-baseline", root, props));
            }
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--baseline must be kafka or sluice, not " + baseline);
        }
        switch (candidate) {
            case "sluice" -> {
                Map<String, String> props = new LinkedHashMap<>(brokerSettings);
                props.putAll(sluiceProps);
                targets.add(new SluiceTarget(root, props));
            }
            case "kafka" -> targets.add(new KafkaTarget("kafka-b", classpath, brokerSettings));
            case "none" -> {
            }
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--candidate must be sluice, kafka or none, not " + candidate);
        }
        return targets;
    }

    private static int or(Integer given, int preset) {
        return given != null ? given : preset;
    }
}
