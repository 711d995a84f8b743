package io.sluice.chaos.cli;

import io.sluice.chaos.net.ClusterNetwork;
import io.sluice.chaos.run.ChaosRun;
import io.sluice.chaos.run.RunSummary;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.schedule.ScheduleGenerator;
import io.sluice.chaos.target.TargetSpec;
import io.sluice.chaos.target.Targets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/sluice chaos}: runs the fault-injection suite against a target with a budget, a seed
 * and a set of fault kinds, and prints the final table. Exit code 0 if nothing that must hold was
 * violated, 1 if something was, 2 on bad usage.
 */
@Command(name = "sluice chaos", mixinStandardHelpOptions = true, subcommands = InjectCommand.class,
        description = "Jepsen-style fault injection against real broker processes. "
                + "`inject` aims one fault at the running local cluster (bin/sluice chaos inject --help).")
public final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--target", defaultValue = "kafka",
            description = "kafka (Apache Kafka 4.4.0 stand-in from Maven jars), kafka-cluster (N Kafka nodes in "
                    + "their own network namespaces), sluice (bin/sluice start), sluice-cluster (N Sluice "
                    + "nodes, bin/sluice start each, in their own network namespaces), or a target description file (see chaos-tests/README.md). "
                    + "Several, comma-separated (sluice-cluster,kafka-cluster), run the same schedules (same seeds) "
                    + "against each in turn and print their tables side by side. Default: ${DEFAULT-VALUE}")
    String target;

    @Option(names = "--nodes", description = "cluster size for kafka-cluster, sluice-cluster or a target file "
            + "(default: 3 for the cluster targets, else 1)")
    Integer nodes;

    @Option(names = "--sluice-home", description = "checkout or distribution with bin/sluice (default: the repo root)")
    Path sluiceHome;

    @Option(names = "--kafka-classpath", description = "file with the Kafka stand-in's classpath "
            + "(default: chaos-tests/target/kafka-standin.classpath)")
    Path kafkaClasspath;

    @Option(names = "--schedules", defaultValue = "20", description = "budget: schedules (default ${DEFAULT-VALUE})")
    int schedules;

    @Option(names = "--time", description = "budget: wall time, e.g. 10m, 2h, 90s (default: unlimited)")
    String time;

    @Option(names = "--seed", description = "run seed, decimal or 0x-hex (default: random, printed)")
    String seed;

    @Option(names = "--replay", description = "run only the schedule with this seed (as printed on failure)")
    String replay;

    @Option(names = "--faults", split = ",", description = "fault kinds: kill,pause,power-loss,corrupt,disk-full,"
            + "slow,stall,cut,fuzz; in a cluster also isolate,split,one-way,bridge,flap (between nodes), "
            + "rolling-restart,rolling-kill, clock-jump,clock-drift (needs libfaketime); "
            + "or 'all' or 'none' (default: all)")
    List<String> faults;

    @Option(names = "--schedule-ms", defaultValue = "15000", description = "workload time per schedule (default ${DEFAULT-VALUE})")
    int scheduleMs;

    @Option(names = "--faults-max", defaultValue = "3", description = "faults per schedule at most (default ${DEFAULT-VALUE})")
    int faultsMax;

    @Option(names = "--fault-ms-max", defaultValue = "3000", description = "longest fault: down time, pause, hold "
            + "(default ${DEFAULT-VALUE}; above the broker's session timeout it exercises fencing)")
    int faultMsMax;

    @Option(names = "--rate", defaultValue = "200", description = "sends per second per producer, upper bound (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--partitions", defaultValue = "2", description = "partitions per topic (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--no-commits", description = "assign() consumers never commit offsets (default: they do, "
            + "if the target supports it)")
    boolean noCommits;

    @Option(names = "--no-groups", description = "no consumer-group workloads (default: on, if the target supports them)")
    boolean noGroups;

    @Option(names = "--shrink-runs", defaultValue = "6", description = "re-runs spent shrinking a failure (default ${DEFAULT-VALUE})")
    int shrinkRuns;

    @Option(names = "--disk-mb", defaultValue = "512", description = "tmpfs size for disk-full schedules (default ${DEFAULT-VALUE})")
    long diskMb;

    @Option(names = "--no-namespaces", description = "run a cluster's nodes on the loopback, without network "
            + "namespaces (faults between nodes are then skipped, saying why)")
    boolean noNamespaces;

    @Option(names = "--work-dir", description = "where schedule directories go (default: a temp dir)")
    Path workDir;

    @Option(names = "--keep", description = "keep passing schedules' directories too")
    boolean keep;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    private CommandLine.Model.CommandSpec spec() {
        return commandSpec;
    }

    /**
     * Kafka has commits and groups; a one-node target of unknown abilities is probed on a throw-away
     * broker. The probe starts one node, which a cluster's config (replication factor 3) cannot
     * serve groups on, so a cluster runs commits and groups as asked (--no-commits, --no-groups).
     */
    private static boolean probeCapabilities(TargetSpec spec, int size) {
        return size == 1 && !spec.name().startsWith("kafka");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path repo = Path.of(System.getProperty("chaos.repoRoot", ".")).toAbsolutePath().normalize();
        if (noNamespaces) {
            System.setProperty(ClusterNetwork.DISABLE_PROPERTY, "off");
        }
        List<String> names = List.of(target.split(","));
        boolean clusterTarget = names.stream().allMatch(n -> n.endsWith("-cluster"));
        int size = nodes != null ? nodes : clusterTarget ? 3 : 1;
        if (size < 1 || (size > 1 && (names.contains("kafka") || names.contains("sluice")))) {
            throw new CommandLine.ParameterException(spec().commandLine(), "--nodes " + size + " needs cluster "
                    + "targets (kafka-cluster, sluice-cluster, or a target file whose properties use ${voters})");
        }
        List<TargetSpec> specs = new ArrayList<>();
        for (String name : names) {
            try {
                specs.add(target(name.trim(), repo, size));
            } catch (IllegalArgumentException e) {
                System.err.println("sluice chaos: " + e.getMessage());
                return 2;
            }
        }
        long runSeed;
        try {
            runSeed = seed != null ? parseSeed(seed) : new SecureRandom().nextLong();
            if (replay != null) {
                parseSeed(replay);
            }
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec().commandLine(), "a seed is decimal or 0x-hex: " + e.getMessage());
        }
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("sluice-chaos-");
        ScheduleGenerator.Options gen = new ScheduleGenerator.Options(kinds(faults), ChaosRun.allTopics(), scheduleMs,
                faultsMax, rate, !noCommits, !noGroups, faultMsMax, size);
        Duration budget = time == null ? Duration.ofDays(365) : parseDuration(time);
        Map<String, RunSummary> summaries = new LinkedHashMap<>();
        for (TargetSpec spec : specs) {
            // The schedules are a function of (seed, options) alone, so every target gets the same ones.
            ChaosRun.Options options = new ChaosRun.Options(spec, specs.size() == 1 ? dir : dir.resolve(spec.name()),
                    runSeed, replay != null ? 1 : schedules, budget, gen, partitions, diskMb << 20, shrinkRuns, keep,
                    Optional.ofNullable(replay).map(ChaosCommand::parseSeed), probeCapabilities(spec, size), size);
            summaries.put(spec.name(), new ChaosRun(options, System.out).run());
        }
        if (summaries.size() > 1) {
            System.out.println();
            summaries.forEach((name, summary) -> System.out.print("== " + name + " (seed 0x"
                    + Long.toHexString(runSeed) + ")\n" + summary.table() + "\n"));
        }
        return summaries.values().stream().allMatch(s -> s.failed().isEmpty()) ? 0 : 1;
    }

    private TargetSpec target(String name, Path repo, int size) throws IOException {
        Path kafkaCp = kafkaClasspath != null ? kafkaClasspath : repo.resolve("chaos-tests/target/kafka-standin.classpath");
        Path home = sluiceHome != null ? sluiceHome : repo;
        return switch (name) {
            case "kafka" -> Targets.kafka(kafkaCp);
            case "kafka-cluster" -> Targets.kafkaCluster(kafkaCp);
            case "sluice" -> Targets.sluice(home);
            case "sluice-cluster" -> Targets.sluiceCluster(home, size);
            default -> Targets.fromFile(Path.of(name));
        };
    }

    static Set<FaultKind> kinds(List<String> names) {
        if (names == null || names.contains("all")) {
            return EnumSet.allOf(FaultKind.class);
        }
        EnumSet<FaultKind> out = EnumSet.noneOf(FaultKind.class);
        for (String n : names) {
            if (!n.equals("none")) {
                out.add(FaultKind.fromCli(n));
            }
        }
        return out;
    }

    static long parseSeed(String s) {
        String t = s.trim().toLowerCase();
        return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    }

    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase();
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("--time wants a number and s, m or h: " + s);
        };
    }
}
