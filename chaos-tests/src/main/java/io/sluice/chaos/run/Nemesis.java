package io.sluice.chaos.run;

import io.sluice.chaos.fault.DirtyPages;
import io.sluice.chaos.fault.DiskFiller;
import io.sluice.chaos.fault.FakeClock;
import io.sluice.chaos.fault.PowerLoss;
import io.sluice.chaos.fault.SegmentCorruptor;
import io.sluice.chaos.fault.TmpfsVolume;
import io.sluice.chaos.fuzz.ProtocolFuzzer;
import io.sluice.chaos.history.History;
import io.sluice.chaos.history.Op;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.schedule.FaultEvent;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.schedule.Schedule;
import io.sluice.chaos.target.BrokerNode;
import io.sluice.chaos.target.Cluster;
import io.sluice.chaos.target.ServingProbe;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Injects one fault at a time and heals it, recording both in the history: process, clock, disk
 * and proxy faults into the node a fault is aimed at (a role is looked up in the cluster when the
 * fault starts, {@link RoleLocator}; kill and pause may take the next nodes with it), rolling
 * restarts through {@link RollingRestart}, faults between nodes through {@link NetworkNemesis}. Runs on
 * the schedule runner's thread; the random source is the schedule's, so a replay draws the same
 * corruption positions and garbage lengths. Not thread-safe.
 */
final class Nemesis {
    /** Generous: a JVM broker on a small, shared machine was seen taking over a minute to start. */
    static final Duration SERVE_TIMEOUT = Duration.ofSeconds(180);
    private static final long ACK_DRAIN_MS = 500;

    private final History history;
    private final Random random;
    private final Set<String> workloadTopics;
    private final Set<String> flushTopics;
    private final boolean checkpointTracksForce;
    private final List<Long> recoveryMs = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final Cluster cluster;
    private final RoleLocator roles;
    private final NetworkNemesis network;
    private final List<RecoveryFigures.Window> windows = new ArrayList<>();
    private long fuzzFrames;

    /**
     * @param flushTopics           topics with flush.messages=1: an acknowledged offset there was forced
     * @param checkpointTracksForce cut to the checkpoint alone (the target claims it is never stale),
     *                              not to the kernel's dirty pages
     * @param roleTopic             the workload topic whose partition 0 partition roles refer to
     * @param roleGroup             the workload's consumer group, whose coordinator is a role
     */
    Nemesis(Cluster cluster, History history, Random random, Set<String> workloadTopics, Set<String> flushTopics,
            boolean checkpointTracksForce, String roleTopic, String roleGroup) {
        this.cluster = cluster;
        this.roles = new RoleLocator(cluster, roleTopic, roleGroup);
        this.network = new NetworkNemesis(cluster, roles, history, notes);
        this.history = history;
        this.random = random;
        this.workloadTopics = workloadTopics;
        this.flushTopics = flushTopics;
        this.checkpointTracksForce = checkpointTracksForce;
    }

    /**
     * Per partition dir of a flush.messages=1 topic: one past the highest acknowledged offset. The
     * broker forced those bytes before acknowledging, so a real power cut keeps them even if the
     * timer-driven checkpoint has not caught up.
     */
    private Map<String, Long> forcedByAcknowledgement() {
        Map<String, Long> out = new HashMap<>();
        if (checkpointTracksForce) {
            return out;
        }
        for (Op op : history.ops()) {
            if (op.kind() == OpKind.SEND && op.type() == OpType.OK && op.offset() >= 0
                    && flushTopics.contains(op.topic())) {
                out.merge(op.topic() + "-" + op.partition(), op.offset() + 1, Math::max);
            }
        }
        return out;
    }

    /**
     * The kernel's dirty pages where readable; the checkpoint alone where the target claims it
     * tracks its forces, since that claim is then what is under test.
     */
    private PowerLoss.Model powerLossModel(BrokerNode node) throws IOException {
        return checkpointTracksForce ? PowerLoss.Model.CHECKPOINT : PowerLoss.Model.truestFor(node.logDir());
    }

    /**
     * Starts every node of a schedule with a clock fault under libfaketime at true time (a clock
     * can only be moved in a process started so); says why where libfaketime is missing.
     */
    void prepareClocks(Schedule schedule) throws IOException {
        if (schedule.faults().stream().noneMatch(f -> f.kind().clock())) {
            return;
        }
        for (BrokerNode node : cluster.nodes()) {
            Optional<FakeClock> clock = FakeClock.create(node.nodeDir().resolve("faketime"));
            if (clock.isEmpty()) {
                notes.add("clock faults unavailable: " + FakeClock.unavailableReason());
                return;
            }
            node.runUnder(clock.get());
        }
    }

    /**
     * Injects, holds for the fault's duration, heals. Returns false if the fault could not be
     * injected here. Records when it started and healed, for {@link RecoveryFigures}.
     */
    boolean apply(FaultEvent f) throws IOException, InterruptedException {
        int before = history.size();
        boolean applied = inject(f);
        if (applied) {
            List<Op> ops = history.ops(); // a copy: the workload keeps appending to the history meanwhile
            windows.add(RecoveryFigures.Window.of(f.kind(), ops.subList(before, ops.size())));
        }
        return applied;
    }

    private boolean inject(FaultEvent f) throws IOException, InterruptedException {
        if (f.kind().betweenNodes()) {
            String why = cluster.size() < 2 ? "a single node has no links to cut" : cluster.networkUnavailableReason();
            if (why != null || cluster.firewall().isEmpty()) {
                skipped.add(f + ": " + (why != null ? why : "no firewall"));
                return false;
            }
        }
        RoleLocator.Aim aim = roles.aim(f);
        if (f.kind().betweenNodes()) {
            network.apply(f, aim.index(), aim.why());
            return true;
        }
        BrokerNode node = cluster.node(aim.index());
        List<BrokerNode> hit = nodesHit(aim.index(), f.nodeCount(), cluster.size()).stream().map(cluster::node)
                .toList();
        String others = hit.size() > 1 ? " + " + names(hit.subList(1, hit.size())) : "";
        String what = f + (cluster.size() > 1 ? " [" + aim.why() + others + "]" : "");
        if (f.kind().clock() && node.clock().isEmpty()) {
            String why = FakeClock.unavailableReason();
            skipped.add(what + ": " + (why != null ? why : node.name() + " was not started under libfaketime"));
            return false;
        }
        switch (f.kind()) {
            case KILL -> {
                history.nemesis(OpType.INVOKE, names(hit), what);
                for (BrokerNode n : hit) {
                    n.kill();
                }
                Thread.sleep(f.durationMs());
                restart(hit, hit.size() > 1 ? "after kill of " + names(hit) : "after kill");
                history.nemesis(OpType.OK, names(hit), what);
                return true;
            }
            case PAUSE -> {
                history.nemesis(OpType.INVOKE, names(hit), what);
                for (BrokerNode n : hit) {
                    n.pause();
                }
                Thread.sleep(f.durationMs());
                for (BrokerNode n : hit) {
                    n.resume();
                }
                history.nemesis(OpType.OK, names(hit), what);
                return true;
            }
            case ROLLING_RESTART, ROLLING_KILL -> {
                history.nemesis(OpType.INVOKE, cluster.name(), what);
                new RollingRestart(cluster, this, workloadTopics, notes)
                        .run(aim.index(), f.kind() == FaultKind.ROLLING_RESTART, f.durationMs());
                history.nemesis(OpType.OK, cluster.name(), what);
                return true;
            }
            case CLOCK_JUMP -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                ClockFaults.jump(node.clock().orElseThrow(), f.param(), f.durationMs());
            }
            case CLOCK_DRIFT -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                ClockFaults.drift(node.clock().orElseThrow(), f.param(), f.durationMs());
            }
            case POWER_LOSS -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                node.kill();
                // Acknowledgements the dead broker had already sent are still arriving at the clients.
                Thread.sleep(ACK_DRAIN_MS);
                PowerLoss.Model model = powerLossModel(node);
                PowerLoss.Outcome cut = PowerLoss.apply(node.logDir(), random, f.param(), model,
                        forcedByAcknowledgement());
                String unreadable = DirtyPages.unavailableReason();
                notes.add("power loss: " + cut + (model == PowerLoss.Model.CHECKPOINT && unreadable != null
                        ? " (kernel page state unreadable: " + unreadable + ")" : ""));
                Thread.sleep(f.durationMs());
                restart(node, "after power loss");
            }
            case CORRUPT -> {
                Optional<SegmentCorruptor.Damage> damage =
                        SegmentCorruptor.corrupt(node.logDir(), workloadTopics, random, f.param());
                if (damage.isEmpty()) {
                    skipped.add(what + ": no closed segment yet");
                    return false;
                }
                history.nemesis(OpType.INVOKE, node.name(), what + " " + damage.get());
                notes.add("corrupted " + damage.get());
            }
            case DISK_FULL -> {
                Optional<TmpfsVolume> volume = node.volume();
                if (volume.isEmpty()) {
                    skipped.add(what + ": " + (TmpfsVolume.unavailableReason() != null
                            ? TmpfsVolume.unavailableReason() : "no size-limited volume for this node"));
                    return false;
                }
                history.nemesis(OpType.INVOKE, node.name(), what);
                try (DiskFiller filler = DiskFiller.fill(volume.get())) {
                    notes.add("disk full: " + filler.filledBytes() + " ballast bytes");
                    Thread.sleep(f.durationMs());
                }
            }
            case SLOW -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                node.proxy().delay(f.param());
                Thread.sleep(f.durationMs());
                node.proxy().heal();
            }
            case STALL -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                node.proxy().stall();
                Thread.sleep(f.durationMs());
                node.proxy().heal();
            }
            case CUT -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                node.proxy().refuse();
                node.proxy().cutAll();
                Thread.sleep(f.durationMs());
                node.proxy().heal();
            }
            case FUZZ -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                // Through the proxy like every client; its connections are its own, never the workload's.
                ProtocolFuzzer.Stats stats = new ProtocolFuzzer(node.bootstrap(), f.param(), random.nextLong())
                        .run(Duration.ofMillis(f.durationMs()));
                fuzzFrames += stats.frames();
                notes.add("fuzz: " + stats);
            }
            default -> throw new IllegalStateException("unhandled fault kind " + f.kind());
        }
        history.nemesis(OpType.OK, node.name(), what);
        return true;
    }

    /**
     * Starts the node and waits until it serves (in a cluster: until the cluster lists every node
     * again and takes an acks=all write); records the recovery time.
     */
    void restart(BrokerNode node, String why) throws IOException {
        restart(List.of(node), why);
    }

    /**
     * Starts every node of {@code nodes} first, then waits once: a killed majority has no quorum
     * until enough of it is back, so waiting after each start would wait for nothing.
     */
    private void restart(List<BrokerNode> nodes, String why) throws IOException {
        long start = System.nanoTime();
        for (BrokerNode node : nodes) {
            node.start();
        }
        if (cluster.size() == 1) {
            ServingProbe.awaitServing(nodes.get(0), true, SERVE_TIMEOUT);
        } else {
            ServingProbe.awaitServing(cluster, true, SERVE_TIMEOUT);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        recoveryMs.add(ms);
        notes.add("recovered in " + ms + "ms " + why);
    }

    /**
     * The node indexes a fault aimed at {@code aimed} hits when it takes {@code count} nodes at
     * once: the aimed node, then the next ones in index order, wrapping around; never more than
     * the cluster has.
     */
    static List<Integer> nodesHit(int aimed, int count, int nodes) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < Math.min(Math.max(1, count), nodes); i++) {
            out.add((aimed + i) % nodes);
        }
        return out;
    }

    private static String names(List<BrokerNode> nodes) {
        return String.join(",", nodes.stream().map(BrokerNode::name).toList());
    }

    /** When each injected fault started and healed, in order. */
    List<RecoveryFigures.Window> windows() {
        return windows;
    }

    List<Long> recoveryMs() {
        return recoveryMs;
    }

    List<String> notes() {
        return notes;
    }

    List<String> skipped() {
        return skipped;
    }

    long fuzzFrames() {
        return fuzzFrames;
    }
}
