package io.sluice.chaos.run;

import io.sluice.chaos.checker.Anomaly;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.schedule.Schedule;
import io.sluice.chaos.workload.TopicSpec;
import java.util.EnumSet;
import java.util.Set;

/**
 * What must hold, per topic setting, under a schedule's faults (issue 7, "What must hold"):
 * <ul>
 *   <li>acks &ge; 1 with no power loss and no corruption: nothing acknowledged is lost (SIGKILL
 *       keeps the page cache); offsets stay consistent; consumers skip nothing; commits never go
 *       backwards;</li>
 *   <li>acks=all with flush.messages=1: the same even under power loss (the cut keeps what was
 *       acknowledged, or only the checkpoint where the target claims it tracks its forces);</li>
 *   <li>idempotence on: additionally no duplicates and no reordering;</li>
 *   <li>acks=0, power loss without flush, corrupted segments: loss is allowed, so everything is
 *       measured and reported, nothing asserted;</li>
 *   <li>in a cluster, acks=1 under any fault: the leader acknowledges before any follower has the
 *       record, so a failover may truncate it (Kafka's documented trade-off).</li>
 * </ul>
 * Where durability is promised, no uncommitted read (a read the final read contradicts) and no
 * divergent committed replicas either; no group resuming below its committed offset where commits
 * must not go backwards; and for acks=all (min.insync.replicas=2 in a cluster) no split brain: a
 * leader acknowledging offsets another leader had acknowledged. acks=1 split brain is measured.
 * Lost, unseen and uncommitted reads are judged only after a complete final read
 * ({@link #needsCompleteFinalRead}). Stateless.
 */
public final class Expectations {
    private Expectations() { }

    public static boolean lossAllowed(TopicSpec topic, Schedule schedule, boolean checkpointTracksForce) {
        return lossAllowed(topic, schedule, checkpointTracksForce, 1);
    }

    /** @param nodes the cluster size */
    public static boolean lossAllowed(TopicSpec topic, Schedule schedule, boolean checkpointTracksForce, int nodes) {
        if ("0".equals(topic.acks()) || schedule.has(FaultKind.CORRUPT)) {
            return true;
        }
        if (nodes > 1 && "1".equals(topic.acks()) && !schedule.faults().isEmpty()) {
            return true;
        }
        // flush.messages=1 topics are never cut below what was acknowledged (see Nemesis), or below the
        // checkpoint where the target claims it tracks its forces: either way acknowledged = durable.
        return schedule.has(FaultKind.POWER_LOSS) && !topic.flushEveryMessage();
    }

    /** Anomalies that must be zero for {@code topic} in {@code schedule}. */
    public static Set<Anomaly> asserted(TopicSpec topic, Schedule schedule, boolean checkpointTracksForce) {
        return asserted(topic, schedule, checkpointTracksForce, 1);
    }

    /** Anomalies that must be zero for {@code topic} in {@code schedule} on a cluster of {@code nodes}. */
    public static Set<Anomaly> asserted(TopicSpec topic, Schedule schedule, boolean checkpointTracksForce, int nodes) {
        if (lossAllowed(topic, schedule, checkpointTracksForce, nodes)) {
            return EnumSet.noneOf(Anomaly.class);
        }
        Set<Anomaly> must = EnumSet.of(Anomaly.LOST, Anomaly.UNSEEN, Anomaly.INCONSISTENT_OFFSET, Anomaly.SKIPPED,
                Anomaly.UNCOMMITTED_READ, Anomaly.DIVERGENT_REPLICAS);
        // __consumer_offsets is not flushed per message, so a power loss may take commits back.
        if (!schedule.has(FaultKind.POWER_LOSS)) {
            must.add(Anomaly.COMMIT_BACKWARDS);
            must.add(Anomaly.RESUMED_BELOW_COMMIT);
        }
        if ("all".equals(topic.acks())) {
            must.add(Anomaly.SPLIT_BRAIN);
        }
        if (topic.idempotent()) {
            must.add(Anomaly.DUPLICATE);
            must.add(Anomaly.REORDERED);
        }
        return must;
    }

    /** Anomalies that "never read" or "read, then gone" prove only when the final full read reached every end offset. */
    public static boolean needsCompleteFinalRead(Anomaly a) {
        return a == Anomaly.LOST || a == Anomaly.UNSEEN || a == Anomaly.UNCOMMITTED_READ;
    }
}
