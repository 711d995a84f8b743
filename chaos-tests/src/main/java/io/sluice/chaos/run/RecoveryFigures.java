package io.sluice.chaos.run;

import io.sluice.chaos.history.Op;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.schedule.FaultKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How long acks=all writes took to get through again after each fault, read off the history
 * alone (no probes of its own): from the fault's start, and from its heal, to the
 * acknowledgement of the first acks=all write invoked at or after that instant. A write in flight
 * when the fault struck does not count: its acknowledgement says nothing about a client that
 * starts writing then. Stateless.
 */
public final class RecoveryFigures {
    private RecoveryFigures() { }

    /** When one injected fault started and healed, as the history's nemesis ops say. */
    record Window(FaultKind kind, long startNanos, long healNanos) {
        /** From the ops the nemesis recorded while injecting one fault: its first invoke and its last ok. */
        static Window of(FaultKind kind, List<Op> opsDuring) {
            long start = -1;
            long heal = -1;
            for (Op op : opsDuring) {
                if (op.kind() != OpKind.FAULT) {
                    continue;
                }
                if (op.type() == OpType.INVOKE && start < 0) {
                    start = op.timeNanos();
                } else if (op.type() == OpType.OK) {
                    heal = op.timeNanos();
                }
            }
            return new Window(kind, start, heal < 0 ? start : heal);
        }
    }

    /**
     * One fault's figures.
     *
     * @param fromStartMs to the first acknowledged acks=all write invoked after the start; -1: none was
     * @param fromHealMs  the same from the heal
     */
    public record Recovery(FaultKind kind, long fromStartMs, long fromHealMs) { }

    /**
     * @param ops           the schedule's history
     * @param acksAllTopics topics written with acks=all
     * @param windows       the faults injected, in order
     */
    static List<Recovery> of(List<Op> ops, Set<String> acksAllTopics, List<Window> windows) {
        Map<String, Long> invokedAt = new HashMap<>();
        List<long[]> acked = new ArrayList<>(); // {invoke nanos, ok nanos}
        for (Op op : ops) {
            if (op.kind() != OpKind.SEND || !acksAllTopics.contains(op.topic())) {
                continue;
            }
            if (op.type() == OpType.INVOKE) {
                invokedAt.put(op.value(), op.timeNanos());
            } else if (op.type() == OpType.OK && invokedAt.containsKey(op.value())) {
                acked.add(new long[] {invokedAt.get(op.value()), op.timeNanos()});
            }
        }
        List<Recovery> out = new ArrayList<>();
        for (Window w : windows) {
            if (w.startNanos() < 0) {
                continue;
            }
            out.add(new Recovery(w.kind(), firstAckMs(acked, w.startNanos()), firstAckMs(acked, w.healNanos())));
        }
        return out;
    }

    private static long firstAckMs(List<long[]> acked, long from) {
        long first = Long.MAX_VALUE;
        for (long[] a : acked) {
            if (a[0] >= from && a[1] < first) {
                first = a[1];
            }
        }
        return first == Long.MAX_VALUE ? -1 : (first - from) / 1_000_000;
    }
}
