package io.sluice.chaos.checker;

import io.sluice.chaos.history.Op;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Two leaders acknowledging writes for one partition in overlapping time, from the
 * {@link OpKind#PRODUCE_ACK} ops each node's proxy records (kafka-clients cannot say which broker
 * acknowledged a write, the connection can).
 *
 * <p>The rule: node Y acknowledges a batch at base offset b after node X &ne; Y acknowledged one
 * at base offset b' with b &lt; b', or b = b' and the clients were acknowledged two different
 * values at offset b. A leader hands out offsets from its own log end, so a later leader handing
 * out an offset an earlier leader had already acknowledged did not have that acknowledged
 * record: the earlier leader acknowledged a write the partition's next leader never had, i.e.
 * both acted as leader for the same offsets. Equal base offsets with one value are the same
 * batch acknowledged again (an idempotent retry answered from the new leader's log), not a
 * conflict. A clean failover never trips it: the new leader's log end is at or past every
 * acknowledged acks=all offset. acks=1 trips it on failover by design.
 *
 * <p>One anomaly per (partition, earlier node and its highest acknowledged base offset, later
 * node): a failover that re-hands out fifty offsets is one episode, not fifty. Time is the
 * history's recording order. Stateless.
 */
final class SplitBrainCheck {
    private SplitBrainCheck() { }

    static void check(CheckResult result, List<Op> history) {
        Map<TopicPartition, Map<Long, Set<String>>> ackedValues = new HashMap<>();
        for (Op op : history) {
            if (op.kind() == OpKind.SEND && op.type() == OpType.OK && op.offset() >= 0) {
                ackedValues.computeIfAbsent(new TopicPartition(op.topic(), op.partition()), k -> new HashMap<>())
                        .computeIfAbsent(op.offset(), k -> new TreeSet<>()).add(op.value());
            }
        }
        Map<TopicPartition, Map<String, Op>> highestByNode = new HashMap<>();
        Set<String> reported = new HashSet<>();
        for (Op ack : history) {
            if (ack.kind() != OpKind.PRODUCE_ACK || ack.type() != OpType.OK) {
                continue;
            }
            TopicPartition tp = new TopicPartition(ack.topic(), ack.partition());
            Map<String, Op> byNode = highestByNode.computeIfAbsent(tp, k -> new HashMap<>());
            for (Op earlier : byNode.values()) {
                if (earlier.node().equals(ack.node())) {
                    continue;
                }
                boolean conflict = ack.offset() < earlier.offset() || ack.offset() == earlier.offset()
                        && ackedValues.getOrDefault(tp, Map.of()).getOrDefault(ack.offset(), Set.of()).size() > 1;
                if (conflict && reported.add(tp + "|" + earlier.node() + "|" + earlier.offset() + "|" + ack.node())) {
                    result.record(tp.topic(), Anomaly.SPLIT_BRAIN, tp + ": " + ack.node() + " acknowledged base offset "
                            + ack.offset() + " at " + ack.timeNanos() / 1_000_000 + "ms (op " + ack.index() + ") after "
                            + earlier.node() + " had acknowledged base offset " + earlier.offset() + " at "
                            + earlier.timeNanos() / 1_000_000 + "ms (op " + earlier.index() + ")");
                }
            }
            Op highest = byNode.get(ack.node());
            if (highest == null || ack.offset() > highest.offset()) {
                byNode.put(ack.node(), ack);
            }
        }
    }
}
