package io.sluice.chaos.checker;

import io.sluice.chaos.history.Op;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.history.Read;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads of values that were never committed: a live consumer read value v at offset o, and the
 * harness's final read (after healing) holds another value at o, or ends below o. A broker that
 * serves only below its high watermark never shows such a read, since what is below the high
 * watermark is on every in-sync replica and survives a failover. An offset the final read skipped
 * (it seeks past a corrupt batch) proves nothing and is not judged. Judged only when the history
 * has a final read. One anomaly per (partition, offset, value), however many consumers read it.
 * Stateless.
 */
final class UncommittedReadCheck {
    private UncommittedReadCheck() { }

    static void check(CheckResult result, List<Op> history) {
        Map<TopicPartition, Map<Long, String>> finalValues = new HashMap<>();
        Map<TopicPartition, Long> finalMaxOffset = new HashMap<>();
        boolean finalRead = false;
        for (Op op : history) {
            if (op.kind() == OpKind.POLL && op.type() == OpType.OK && Checker.FINAL_PROCESS.equals(op.process())) {
                finalRead = true;
                for (Read r : op.reads()) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    finalValues.computeIfAbsent(tp, k -> new HashMap<>()).put(r.offset(), r.value());
                    finalMaxOffset.merge(tp, r.offset(), Math::max);
                }
            }
        }
        if (!finalRead) {
            return;
        }
        Set<String> reported = new HashSet<>();
        for (Op op : history) {
            if (op.kind() != OpKind.POLL || op.type() != OpType.OK || Checker.FINAL_PROCESS.equals(op.process())) {
                continue;
            }
            for (Read r : op.reads()) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                String held = finalValues.getOrDefault(tp, Map.of()).get(r.offset());
                long finalMax = finalMaxOffset.getOrDefault(tp, -1L);
                String why;
                if (held != null && !held.equals(r.value())) {
                    why = "the final read holds " + held + " there";
                } else if (held == null && r.offset() > finalMax) {
                    why = "the final read ends at " + finalMax;
                } else {
                    continue;
                }
                if (reported.add(tp + "@" + r.offset() + "=" + r.value())) {
                    result.record(tp.topic(), Anomaly.UNCOMMITTED_READ, op.process() + " read " + tp + "@" + r.offset()
                            + "=" + r.value() + " (op " + op.index() + "); " + why);
                }
            }
        }
    }
}
