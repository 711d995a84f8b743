package io.sluice.chaos.run;

import io.sluice.chaos.checker.Anomaly;
import io.sluice.chaos.checker.CheckResult;
import io.sluice.chaos.checker.Checker;
import io.sluice.chaos.fuzz.FrameFactory;
import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.schedule.FaultEvent;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.schedule.Schedule;
import io.sluice.chaos.target.BrokerNode;
import io.sluice.chaos.target.Cluster;
import io.sluice.chaos.target.ServingProbe;
import io.sluice.chaos.target.TargetSpec;
import io.sluice.chaos.workload.ConsumerWorker;
import io.sluice.chaos.workload.FinalReader;
import io.sluice.chaos.workload.ProducerWorker;
import io.sluice.chaos.workload.TopicSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * Runs one schedule against a fresh broker or cluster: lays out and starts the nodes, creates the topics,
 * starts the workload, lets the nemesis inject the faults on time, heals, waits for the broker to
 * serve again, stops the workload, reads everything back and checks the history. Each run uses
 * its own directory, ports and processes, and releases all of them before returning.
 * Single-threaded use; one runner may run many schedules one after another.
 */
public final class ScheduleRunner {
    private static final Duration SERVE_TIMEOUT = Nemesis.SERVE_TIMEOUT;
    private static final Duration FINAL_READ_TIMEOUT = Duration.ofSeconds(60);
    /** How long a cluster's replicas get to catch up after the final read before their logs are compared. */
    private static final Duration REPLICA_CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
    private static final int GROUP_MEMBERS = 2;
    private static final long DISK_FULL_CRASH_WINDOW_NANOS = 60_000_000_000L;

    /**
     * @param target          how to run the broker
     * @param workDir         schedule directories go here
     * @param partitions      per workload topic
     * @param dataVolumeBytes tmpfs size for schedules with a disk-full fault
     * @param keepPassing     keep directories of passing schedules too
     * @param nodes           cluster size (1: the single-node suite)
     */
    public record Config(TargetSpec target, Path workDir, int partitions, long dataVolumeBytes, boolean keepPassing,
                         int nodes) {
        /** A single-node target. */
        public Config(TargetSpec target, Path workDir, int partitions, long dataVolumeBytes, boolean keepPassing) {
            this(target, workDir, partitions, dataVolumeBytes, keepPassing, 1);
        }
    }

    private final Config config;

    public ScheduleRunner(Config config) {
        this.config = config;
    }

    public ScheduleResult run(Schedule schedule, String dirName) throws IOException {
        Path dir = config.workDir().resolve(dirName);
        deleteRecursively(dir); // a replay into the same work dir starts from nothing, like the original
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("schedule.txt"), schedule.toString());
        History history = new History();
        Random random = new Random(schedule.seed() ^ 0x5EEDL);
        List<TopicSpec> topics = TopicSpec.standard(config.partitions()).stream()
                .filter(t -> schedule.mix().topics().contains(t.name())).toList();
        Map<String, String> labels = new LinkedHashMap<>();
        topics.forEach(t -> labels.put(t.name(), t.label()));
        List<String> violations = new ArrayList<>();
        List<String> crashes = new CopyOnWriteArrayList<>();
        EnumMap<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);
        Set<String> topicNames = new HashSet<>(labels.keySet());
        Set<String> flushTopics = new HashSet<>();
        topics.stream().filter(TopicSpec::flushEveryMessage).forEach(t -> flushTopics.add(t.name()));
        List<ProducerWorker> producers = new ArrayList<>();
        List<ConsumerWorker> consumers = new ArrayList<>();
        FaultKind[] current = {null};
        boolean[] finalReadComplete = {false};
        long[] lastDiskFullNanos = {0};
        Nemesis[] nemeses = {null};
        String clusterId = Uuid.randomUuid().toString();

        try (Cluster cluster = Cluster.create(config.target(), config.nodes(), dir, clusterId,
                schedule.has(FaultKind.DISK_FULL) ? config.dataVolumeBytes() : 0)) {
            Nemesis nemesis = new Nemesis(cluster, history, random, topicNames, flushTopics,
                    config.target().checkpointTracksForce(), topics.isEmpty() ? ServingProbe.PROBE_TOPIC
                    : topics.get(0).name(), topics.isEmpty() ? "chaos-" + ServingProbe.PROBE_TOPIC
                    : ConsumerWorker.groupId(topics.get(0), schedule.mix().groupConsumers() ? ConsumerWorker.Mode.GROUP
                    : ConsumerWorker.Mode.ASSIGN_COMMIT));
            nemeses[0] = nemesis;
            if (cluster.size() > 1 && cluster.networkUnavailableReason() != null) {
                nemesis.notes().add("faults between nodes unavailable: " + cluster.networkUnavailableReason());
            }
            for (BrokerNode node : cluster.nodes()) {
                node.onCrash(code -> {
                // A broker may take seconds to die of a full disk (Kafka shuts down once its log dir has
                // failed), by which time the next fault may have started: such a crash is still the disk's.
                FaultKind during = lastDiskFullNanos[0] != 0
                        && System.nanoTime() - lastDiskFullNanos[0] < DISK_FULL_CRASH_WINDOW_NANOS
                        ? FaultKind.DISK_FULL : current[0];
                history.add(OpType.INFO, OpKind.CRASH, "nemesis", node.name(), null, -1, -1,
                        "exit " + code + " after " + (during == null ? "no fault" : during.cliName()), null, null);
                crashes.add((during == null ? "none" : during.cliName()) + ":" + code);
                });
            }
            ProduceAckRecorder acks = new ProduceAckRecorder(history, topicNames);
            if (cluster.size() > 1) {
                cluster.nodes().forEach(acks::observe); // split brain needs to know which node acknowledged
            }
            long t0 = System.nanoTime();
            Consumer<String> phase = name -> nemesis.notes().add("phase " + name + " done at "
                    + (System.nanoTime() - t0) / 1_000_000 + "ms");
            try {
                nemesis.prepareClocks(schedule);
                cluster.formatAndStart();
                phase.accept("format");
                ServingProbe.awaitServing(cluster, false, SERVE_TIMEOUT);
                phase.accept("start");
                createTopics(cluster, topics, schedule);
                acks.learnTopicIds(cluster.bootstrap());
                ServingProbe.awaitServing(cluster, true, SERVE_TIMEOUT);
                phase.accept("topics");

                for (TopicSpec t : topics) {
                    consumers.add(new ConsumerWorker(t, t.name() + "-c", cluster.name(), cluster.bootstrap(), history,
                            schedule.mix().assignCommits() ? ConsumerWorker.Mode.ASSIGN_COMMIT
                                    : ConsumerWorker.Mode.ASSIGN));
                    if (schedule.mix().groupConsumers()) {
                        for (int m = 1; m <= GROUP_MEMBERS; m++) {
                            consumers.add(new ConsumerWorker(t, t.name() + "-g" + m, cluster.name(), cluster.bootstrap(),
                                    history, ConsumerWorker.Mode.GROUP));
                        }
                    }
                    producers.add(new ProducerWorker(t, t.name() + "-p", cluster.name(), cluster.bootstrap(), history,
                            schedule.mix().sendsPerSecond()));
                }
                consumers.forEach(ConsumerWorker::start);
                producers.forEach(ProducerWorker::start);

                long start = System.nanoTime();
                for (FaultEvent f : schedule.faults()) {
                    sleepUntil(start, f.atMs());
                    current[0] = f.kind();
                    if (nemesis.apply(f)) {
                        injected.merge(f.kind(), 1, Integer::sum);
                        if (f.kind() == FaultKind.DISK_FULL) {
                            lastDiskFullNanos[0] = System.nanoTime();
                        }
                    }
                    ensureRunning(cluster, nemesis);
                }
                sleepUntil(start, schedule.durationMs());
                current[0] = null;

                cluster.healAll();
                ensureRunning(cluster, nemesis);
                phase.accept("workload");
                for (ProducerWorker p : producers) {
                    p.stop();
                }
                phase.accept("producers-stopped");
                try {
                    ensureRunning(cluster, nemesis);
                    long ms = ServingProbe.awaitServing(cluster, true, SERVE_TIMEOUT);
                    nemesis.notes().add("served " + ms + "ms after the schedule ended");
                } catch (IllegalStateException e) {
                    violations.add("broker did not serve after the schedule: " + e.getMessage());
                }
                for (ConsumerWorker c : consumers) {
                    c.stop();
                }
                consumers.clear();
                phase.accept("consumers-stopped");
                ensureRunning(cluster, nemesis);
                finalReadComplete[0] = new FinalReader(cluster.bootstrap(), cluster.name(), history)
                        .readAll(topics, FINAL_READ_TIMEOUT);
                if (!finalReadComplete[0]) {
                    violations.add("final read did not reach the end offsets within " + FINAL_READ_TIMEOUT);
                }
                if (cluster.size() > 1) {
                    nemesis.notes().add("produce acknowledgements seen by the nodes' proxies: " + acks.countsByNode());
                    nemesis.notes().add(ReplicaPrefixCheck.run(cluster, labels.keySet(), history,
                            REPLICA_CATCH_UP_TIMEOUT));
                    phase.accept("replicas-compared");
                }
            } catch (IOException | RuntimeException e) {
                // The broker not answering a client within its timeouts after healing is a finding, not a harness crash.
                violations.add("broker: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                violations.add("interrupted");
            } finally {
                stopQuietly(producers, consumers);
                phase.accept("final-read");
            }
        }

        CheckResult check = new Checker().check(history.ops());
        for (TopicSpec t : topics) {
            for (Anomaly a : Expectations.asserted(t, schedule, config.target().checkpointTracksForce(),
                    config.nodes())) {
                if (!finalReadComplete[0] && Expectations.needsCompleteFinalRead(a)) {
                    continue; // without the final full read "never read" proves nothing; the schedule failed anyway
                }
                long n = check.count(t.name(), a);
                if (n > 0) {
                    violations.add(t.label() + ": " + n + " " + a + ", e.g. " + check.examples(t.name(), a));
                }
            }
        }
        Nemesis nemesis = nemeses[0];
        List<String> notes = new ArrayList<>(nemesis == null ? List.of() : nemesis.notes());
        for (String crash : crashes) {
            if (!crash.startsWith(FaultKind.DISK_FULL.cliName() + ":")) {
                violations.add("broker exited by itself (fault:exit code = " + crash + ")");
            } else {
                notes.add("broker exited on a full disk (" + crash + ")");
            }
        }
        List<Long> recovery = nemesis == null ? List.of() : List.copyOf(nemesis.recoveryMs());
        if (nemesis != null) {
            nemesis.skipped().forEach(s -> notes.add("skipped " + s));
        }
        Set<String> acksAllTopics = new HashSet<>();
        topics.stream().filter(t -> "all".equals(t.acks())).forEach(t -> acksAllTopics.add(t.name()));
        List<RecoveryFigures.Recovery> faultRecovery = nemesis == null ? List.of()
                : RecoveryFigures.of(history.ops(), acksAllTopics, nemesis.windows());
        ScheduleResult result = new ScheduleResult(schedule, check, labels, violations, injected,
                recovery, history.size(), notes, dir, finalReadComplete[0], config.nodes(), faultRecovery);
        if (result.failed() || config.keepPassing()) {
            history.writeTo(dir.resolve("history.txt"));
            Files.writeString(dir.resolve("result.txt"), String.join("\n", violations) + "\n\n" + check + "\n"
                    + String.join("\n", notes) + "\n");
        } else {
            deleteRecursively(dir);
        }
        return result;
    }

    private static void createTopics(Cluster cluster, List<TopicSpec> topics, Schedule schedule) throws IOException {
        List<NewTopic> create = new ArrayList<>();
        short rf = cluster.replicationFactor();
        for (TopicSpec t : topics) {
            Map<String, String> configs = new HashMap<>();
            if (rf >= 3) {
                configs.put("min.insync.replicas", "2"); // acks=all then survives one replica, not two
            }
            if (t.flushEveryMessage()) {
                configs.put("flush.messages", "1");
            }
            if (schedule.has(FaultKind.CORRUPT)) {
                configs.put("segment.ms", "1000"); // closed segments early, for corruption to hit
            }
            create.add(new NewTopic(t.name(), t.partitions(), rf).configs(configs));
        }
        create.add(new NewTopic(ServingProbe.PROBE_TOPIC, 1, rf));
        if (schedule.has(FaultKind.FUZZ)) {
            create.add(new NewTopic(FrameFactory.FUZZ_TOPIC, 1, rf));
        }
        try (Admin admin = ServingProbe.admin(cluster.bootstrap())) {
            admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("creating topics " + create + " failed: " + e, e);
        }
    }

    /** A broker that exited by itself (recorded as a crash) is restarted so the schedule can finish. */
    private static void ensureRunning(Cluster cluster, Nemesis nemesis) throws IOException {
        for (BrokerNode node : cluster.nodes()) {
            if (!node.alive()) {
                nemesis.restart(node, "after it exited by itself");
            }
        }
    }

    private static void sleepUntil(long startNanos, long atMs) throws InterruptedException {
        long wait = startNanos + atMs * 1_000_000L - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static void stopQuietly(List<ProducerWorker> producers, List<ConsumerWorker> consumers) {
        try {
            for (ProducerWorker p : producers) {
                p.stop();
            }
            for (ConsumerWorker c : consumers) {
                c.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
