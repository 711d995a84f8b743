package io.sluice.chaos.run;

import io.sluice.chaos.fault.DirtyPages;
import io.sluice.chaos.fault.DiskFiller;
import io.sluice.chaos.fault.PowerLoss;
import io.sluice.chaos.fault.SegmentCorruptor;
import io.sluice.chaos.fault.TmpfsVolume;
import io.sluice.chaos.fuzz.ProtocolFuzzer;
import io.sluice.chaos.history.History;
import io.sluice.chaos.history.Op;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.schedule.FaultEvent;
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
 * Injects one fault at a time and heals it, recording both in the history: process, disk and
 * proxy faults into the node a fault is aimed at (a role is looked up in the cluster when the
 * fault starts, {@link RoleLocator}), faults between nodes through {@link NetworkNemesis}. Runs on
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
    private long fuzzFrames;

    /**
     * @param flushTopics           topics with flush.messages=1: an acknowledged offset there was forced
     * @param checkpointTracksForce cut to the checkpoint alone (the target claims it is never stale),
     *                              not to the kernel's dirty pages
     * @param roleTopic             the workload topic whose partition 0 partition roles refer to
     */
    Nemesis(Cluster cluster, History history, Random random, Set<String> workloadTopics, Set<String> flushTopics,
            boolean checkpointTracksForce, String roleTopic) {
        this.cluster = cluster;
        this.roles = new RoleLocator(cluster, roleTopic);
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

    /** Injects, holds for the fault's duration, heals. Returns false if the fault could not be injected here. */
    boolean apply(FaultEvent f) throws IOException, InterruptedException {
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
        String what = f + (cluster.size() > 1 ? " [" + aim.why() + "]" : "");
        switch (f.kind()) {
            case KILL -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                node.kill();
                Thread.sleep(f.durationMs());
                restart(node, "after kill");
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
            case PAUSE -> {
                history.nemesis(OpType.INVOKE, node.name(), what);
                node.pause();
                Thread.sleep(f.durationMs());
                node.resume();
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
        long start = System.nanoTime();
        node.start();
        if (cluster.size() == 1) {
            ServingProbe.awaitServing(node, true, SERVE_TIMEOUT);
        } else {
            ServingProbe.awaitServing(cluster, true, SERVE_TIMEOUT);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        recoveryMs.add(ms);
        notes.add("recovered in " + ms + "ms " + why);
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
