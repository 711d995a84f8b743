package io.sluice.chaos.run;

import io.sluice.chaos.target.ServingProbe;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * After healing: asks the cluster, through the proxies like any client, whether every replica of
 * the given topics has caught up — each partition's ISR holds all its replicas (Metadata) and
 * DescribeLogDirs reports no replica lagging ({@code offsetLag} 0) — and if so, each partition's
 * high watermark (ListOffsets LATEST, answered by the leader). One look; the caller retries.
 * Stateless.
 */
final class ReplicaCatchUp {
    private static final long ANSWER_TIMEOUT_MS = 10_000;

    /** One partition's replicas and its high watermark. */
    record Committed(List<Integer> replicas, long highWatermark) { }

    private ReplicaCatchUp() { }

    /** The committed state of every partition of {@code topics}, or why the replicas have not caught up yet. */
    static Result look(String bootstrap, Collection<String> topics) {
        try (Admin admin = ServingProbe.admin(bootstrap)) {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                    .get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, List<Integer>> replicas = new HashMap<>();
            for (TopicDescription d : described.values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    TopicPartition tp = new TopicPartition(d.name(), p.partition());
                    if (p.leader() == null || p.isr().size() < p.replicas().size()) {
                        return Result.notYet(tp + " ISR " + ids(p.isr()) + " of replicas " + ids(p.replicas())
                                + (p.leader() == null ? ", no leader" : ""));
                    }
                    replicas.put(tp, p.replicas().stream().map(Node::id).toList());
                }
            }
            Set<Integer> brokers = replicas.values().stream().flatMap(List::stream).collect(Collectors.toSet());
            Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(brokers).allDescriptions()
                    .get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            for (Map.Entry<Integer, Map<String, LogDirDescription>> broker : dirs.entrySet()) {
                for (LogDirDescription dir : broker.getValue().values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> r : dir.replicaInfos().entrySet()) {
                        if (replicas.containsKey(r.getKey()) && r.getValue().offsetLag() != 0) {
                            return Result.notYet(r.getKey() + " on node " + broker.getKey() + " lags by "
                                    + r.getValue().offsetLag());
                        }
                    }
                }
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            replicas.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> hw = admin.listOffsets(latest).all()
                    .get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, Committed> out = new HashMap<>();
            replicas.forEach((tp, ids) -> out.put(tp, new Committed(ids, hw.get(tp).offset())));
            return new Result(Optional.of(out), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.notYet("interrupted");
        } catch (Exception e) {
            return Result.notYet(e.toString());
        }
    }

    private static List<Integer> ids(List<Node> nodes) {
        return nodes.stream().map(Node::id).toList();
    }

    /** Either every partition's committed state, or why not yet. */
    record Result(Optional<Map<TopicPartition, Committed>> committed, String notYet) {
        static Result notYet(String why) {
            return new Result(Optional.empty(), why);
        }
    }
}
