package io.sluice.chaos.run;

import io.sluice.chaos.checker.CommittedPrefixes;
import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.target.BrokerNode;
import io.sluice.chaos.target.Cluster;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The end of a cluster schedule, after the final read: once every replica has caught up
 * ({@link ReplicaCatchUp}), reads each replica's log of each workload partition from its node's
 * data directory and compares the committed prefixes (below the high watermark) batch by batch
 * ({@link CommittedPrefixes}). A replica still differing at the deadline is recorded in the
 * history as {@link OpKind#REPLICA_DIVERGED}; a difference that goes away on a later look (a
 * follower still truncating or fetching) is not. Runs on the schedule runner's thread.
 */
final class ReplicaPrefixCheck {
    private static final long RETRY_MS = 1_000;

    private ReplicaPrefixCheck() { }

    /** Returns a note saying what was compared, or why nothing was. */
    static String run(Cluster cluster, Collection<String> topics, History history, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String why = "no look yet";
        Map<TopicPartition, List<CommittedPrefixes.Divergence>> last = null;
        int batches = 0;
        while (System.nanoTime() < deadline) {
            ReplicaCatchUp.Result look = ReplicaCatchUp.look(cluster.bootstrap(), topics);
            if (look.committed().isPresent()) {
                try {
                    last = new LinkedHashMap<>();
                    batches = 0;
                    for (Map.Entry<TopicPartition, ReplicaCatchUp.Committed> e : look.committed().get().entrySet()) {
                        Map<String, List<CommittedPrefixes.BatchId>> prefixes = new LinkedHashMap<>();
                        for (int id : e.getValue().replicas()) {
                            Optional<BrokerNode> node = cluster.byNodeId(id);
                            if (node.isPresent()) {
                                prefixes.put(node.get().name(), CommittedPrefixes.read(node.get().logDir(),
                                        e.getKey().topic(), e.getKey().partition(), e.getValue().highWatermark()));
                            }
                        }
                        batches += prefixes.values().stream().mapToInt(List::size).sum();
                        List<CommittedPrefixes.Divergence> d = CommittedPrefixes.compare(prefixes);
                        if (!d.isEmpty()) {
                            last.put(e.getKey(), d);
                        }
                    }
                    if (last.isEmpty()) {
                        return "replicas agree below the high watermark: " + look.committed().get().size()
                                + " partitions, " + batches + " batches compared";
                    }
                    why = last.size() + " partitions differ";
                } catch (IOException e) {
                    why = "reading a replica's segments failed: " + e;
                }
            } else {
                why = look.notYet();
            }
            Thread.sleep(RETRY_MS);
        }
        if (last == null || last.isEmpty()) {
            return "replicas not compared: not caught up within " + timeout.toSeconds() + "s (" + why + ")";
        }
        List<String> where = new ArrayList<>();
        last.forEach((tp, divergences) -> {
            for (CommittedPrefixes.Divergence d : divergences) {
                history.add(OpType.OK, OpKind.REPLICA_DIVERGED, "final", d.node(), tp.topic(), tp.partition(),
                        d.offset(), d.how(), null, null);
                where.add(tp + "@" + d.node());
            }
        });
        return "replicas differ below the high watermark after " + timeout.toSeconds() + "s: " + where;
    }
}
