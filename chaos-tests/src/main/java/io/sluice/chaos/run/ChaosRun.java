package io.sluice.chaos.run;

import io.sluice.chaos.net.ClusterNetwork;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.schedule.Schedule;
import io.sluice.chaos.schedule.ScheduleGenerator;
import io.sluice.chaos.schedule.Shrinker;
import io.sluice.chaos.target.TargetSpec;
import io.sluice.chaos.workload.TopicSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A whole run: probes what the target supports, then generates and runs schedules until the
 * budget (schedules or time) is spent, printing a progress line per schedule; each failure is
 * printed with its seed and schedule, shrunk, and printed again. Ends with the
 * {@link RunSummary} table. Single-threaded.
 */
public final class ChaosRun {
    /**
     * @param target         the broker under test
     * @param workDir        where schedule directories go
     * @param seed           the run's seed; schedule i gets {@link ScheduleGenerator#scheduleSeed}
     * @param schedulesMax   stop after this many schedules
     * @param timeBudget     or after this long, whichever comes first
     * @param generator      schedule options (fault kinds, duration, rates, workloads wanted)
     * @param partitions     per workload topic
     * @param dataVolumeBytes tmpfs size under disk-full schedules
     * @param shrinkRunsMax  re-runs spent shrinking each failure (0: don't shrink)
     * @param keepPassing    keep passing schedules' directories
     * @param replay         run just this schedule seed
     * @param probe          probe commits/groups support first (else trust the options)
     * @param nodes          cluster size (1: one node); the generator's options must say the same
     */
    public record Options(TargetSpec target, Path workDir, long seed, int schedulesMax, Duration timeBudget,
                          ScheduleGenerator.Options generator, int partitions, long dataVolumeBytes,
                          int shrinkRunsMax, boolean keepPassing, Optional<Long> replay, boolean probe, int nodes) {
        /** One node. */
        public Options(TargetSpec target, Path workDir, long seed, int schedulesMax, Duration timeBudget,
                       ScheduleGenerator.Options generator, int partitions, long dataVolumeBytes,
                       int shrinkRunsMax, boolean keepPassing, Optional<Long> replay, boolean probe) {
            this(target, workDir, seed, schedulesMax, timeBudget, generator, partitions, dataVolumeBytes,
                    shrinkRunsMax, keepPassing, replay, probe, 1);
        }
    }

    private final Options options;
    private final PrintStream out;

    public ChaosRun(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public RunSummary run() throws Exception {
        ScheduleGenerator.Options gen = options.generator();
        if (options.probe() && (gen.commits() || gen.groups())) {
            CapabilityProbe.Capabilities caps = CapabilityProbe.probe(options.target(),
                    options.workDir().resolve("capability-probe"));
            if (gen.commits() && !caps.commits()) {
                out.println("target " + options.target().name() + " does not support offset commits: "
                        + caps.commitsWhyNot() + " -> commit workloads disabled");
            }
            if (gen.groups() && !caps.groups()) {
                out.println("target " + options.target().name() + " does not support consumer groups: "
                        + caps.groupsWhyNot() + " -> group workloads disabled");
            }
            gen = gen.withWorkloads(gen.commits() && caps.commits(), gen.groups() && caps.groups());
        }
        if (options.nodes() > 1) {
            ClusterNetwork.unavailableReason().ifPresent(why -> out.println("no network namespaces here (" + why
                    + "): the nodes run on the loopback and faults between them are skipped"));
        }
        ScheduleGenerator generator = new ScheduleGenerator(gen);
        ScheduleRunner runner = new ScheduleRunner(new ScheduleRunner.Config(options.target(), options.workDir(),
                options.partitions(), options.dataVolumeBytes(), options.keepPassing(), options.nodes()));
        RunSummary summary = new RunSummary();
        out.println("chaos run: target=" + options.target().name() + " nodes=" + options.nodes() + " seed=0x" + Long.toHexString(options.seed())
                + " faults=" + gen.kinds().stream().map(FaultKind::cliName).sorted().collect(Collectors.joining(","))
                + " budget=" + options.schedulesMax() + " schedules / " + options.timeBudget()
                + " commits=" + gen.commits() + " groups=" + gen.groups());
        long start = System.nanoTime();
        long deadline = start + options.timeBudget().toNanos();
        int index = 0;
        while (index < options.schedulesMax() && System.nanoTime() < deadline) {
            long seed = options.replay().orElse(ScheduleGenerator.scheduleSeed(options.seed(), index));
            Schedule schedule = generator.generate(seed);
            ScheduleResult result = runner.run(schedule, String.format("s%04d-%016x", index, seed));
            summary.add(result, options.target().checkpointTracksForce());
            index++;
            out.println(progress(index, start, summary, result));
            if (result.failed()) {
                report(result, gen);
                if (options.shrinkRunsMax() > 0) {
                    shrink(runner, result, index);
                }
            }
            if (options.replay().isPresent()) {
                break;
            }
        }
        out.println();
        out.print(summary.table());
        for (ScheduleResult f : summary.failed()) {
            out.println("FAILED seed=0x" + Long.toHexString(f.schedule().seed()) + " -> " + f.dir());
        }
        return summary;
    }

    private String progress(int index, long start, RunSummary summary, ScheduleResult r) {
        long elapsedS = (System.nanoTime() - start) / 1_000_000_000L;
        String faults = r.schedule().faults().isEmpty() ? "no faults" : r.schedule().faults().stream()
                .map(f -> f.kind().cliName()).collect(Collectors.joining(","));
        long skipped = r.notes().stream().filter(n -> n.startsWith("skipped ")).count();
        return String.format("[%d/%d] %dm%02ds seed=0x%016x %-4s ops=%d faults=%s%s recovery=%s | total: faults=%d "
                        + "ops=%d failed=%d",
                index, options.schedulesMax(), elapsedS / 60, elapsedS % 60, r.schedule().seed(),
                r.failed() ? "FAIL" : "ok", r.operations(), faults, skipped > 0 ? " (" + skipped + " skipped)" : "",
                r.recoveryMs(),
                summary.faults().values().stream().mapToInt(Integer::intValue).sum(), summary.operations(),
                summary.failed().size());
    }

    private void report(ScheduleResult r, ScheduleGenerator.Options gen) {
        out.println("---- FAILED " + r.schedule().toString().stripTrailing());
        r.violations().forEach(v -> out.println("  violation: " + v));
        r.notes().forEach(n -> out.println("  note: " + n));
        out.println("  history and broker output: " + r.dir());
        out.println("  replay: bin/sluice chaos --target " + targetArgument() + " --replay 0x"
                + Long.toHexString(r.schedule().seed()) + " --faults "
                + gen.kinds().stream().map(FaultKind::cliName).sorted().collect(Collectors.joining(","))
                + " --schedule-ms " + gen.durationMs() + " --faults-max " + gen.faultsMax() + " --fault-ms-max "
                + gen.faultMsMax() + " --rate "
                + gen.sendsPerSecond() + (gen.commits() ? "" : " --no-commits")
                + (gen.groups() ? "" : " --no-groups"));
    }

    /** The --target (and --nodes) arguments that name this run's target again. */
    private String targetArgument() {
        String name = options.target().name();
        String arg = name.startsWith("kafka-") && name.endsWith("-cluster") ? "kafka-cluster"
                : name.startsWith("kafka") ? "kafka" : name;
        return arg + (options.nodes() > 1 ? " --nodes " + options.nodes() : "");
    }

    private void shrink(ScheduleRunner runner, ScheduleResult failed, int index) {
        int[] attempt = {0};
        Schedule smallest = Shrinker.shrink(failed.schedule(), candidate -> {
            try {
                ScheduleResult r = runner.run(candidate, String.format("s%04d-%016x-shrink%d", index - 1,
                        candidate.seed(), ++attempt[0]));
                out.println("  shrink attempt " + attempt[0] + ": " + (r.failed() ? "still fails" : "passes") + " with "
                        + candidate.faults().size() + " faults, " + candidate.mix().sendsPerSecond() + " sends/s, "
                        + candidate.durationMs() + "ms");
                return r.failed();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, options.shrinkRunsMax());
        out.println("---- SHRUNK to " + smallest.toString().stripTrailing());
    }

    /** Default settings of the built-in topics. */
    public static List<String> allTopics() {
        return TopicSpec.standard(1).stream().map(TopicSpec::name)
                .toList();
    }
}
