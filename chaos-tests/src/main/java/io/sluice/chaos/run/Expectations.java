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
 *       record, so a failover may truncate it (Kafka's documented trade-off);</li>
 *   <li>in a cluster of 3 or more (RF 3, min.insync.replicas=2), acks=all without flush under one
 *       power loss and no other fault that touches a node: asserted like acks=all without power
 *       loss, since the other replicas keep what the lost node had not flushed
 *       ({@link #replicationOutlivesLonePowerLoss});</li>
 *   <li>a kill or pause of a majority at once takes no guarantee away: acks=all writes fail or
 *       go unknown while it lasts, and what was acknowledged sits in the page cache of at least
 *       two replicas, which SIGKILL and SIGSTOP keep.</li>
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
        return schedule.has(FaultKind.POWER_LOSS) && !topic.flushEveryMessage()
                && !replicationOutlivesLonePowerLoss(topic, schedule, nodes);
    }

    /**
     * Kafka promises that a committed record is not lost as long as one in-sync replica stays
     * alive, and it keeps durability in replication rather than in fsync. acks=all with RF 3 and
     * min.insync.replicas=2 is acknowledged only once every replica of the (maximal) ISR has the
     * record, and at least two do. One node losing its unflushed pages is one replica failing:
     * a follower is fenced (its restarted incarnation cannot register while the old one's
     * session lives) and re-enters the ISR only after fetching up to the high watermark again; a
     * leader is fenced and an ISR member, which has every acknowledged record in its page cache,
     * takes over. So acknowledged acks=all data must survive — but only while no other fault can
     * take a replica out of the ISR around it: after a kill, pause, cut or disk fault the ISR may
     * be down to the very node that then loses power, and Kafka promises nothing for that. Hence
     * exactly one power loss, and every other fault in the schedule one between the clients and
     * the nodes (slow, stall, cut, fuzz).
     */
    static boolean replicationOutlivesLonePowerLoss(TopicSpec topic, Schedule schedule, int nodes) {
        if (nodes < 3 || !"all".equals(topic.acks())) {
            return false;
        }
        long powerLosses = schedule.faults().stream().filter(f -> f.kind() == FaultKind.POWER_LOSS).count();
        return powerLosses == 1 && schedule.faults().stream().allMatch(f -> f.kind() == FaultKind.POWER_LOSS
                || CLIENT_SIDE.contains(f.kind()));
    }

    /** Faults in the proxy between the clients and one node: they never touch replication. */
    private static final Set<FaultKind> CLIENT_SIDE = EnumSet.of(FaultKind.SLOW, FaultKind.STALL, FaultKind.CUT,
            FaultKind.FUZZ);

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
