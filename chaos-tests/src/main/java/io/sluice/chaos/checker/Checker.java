package io.sluice.chaos.checker;

import io.sluice.chaos.history.Op;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.history.Read;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a finished history and counts anomalies ({@link Anomaly}) per topic. It judges nothing:
 * which anomalies must be zero for which topic under which faults is the caller's policy
 * ({@code io.sluice.chaos.run.Expectations}). Stateless and thread-safe.
 *
 * <p>Values are unique per history, so a value identifies its write. A producer's send order is
 * the order of its SEND invocations in the history.
 */
public final class Checker {
    /**
     * The process name of the harness's final full read. When the history has one, "lost" and
     * "unseen" are judged against it alone: a value a live consumer saw that later vanished from
     * the log (a power cut below an acknowledged offset) is lost, not saved by the earlier read.
     */
    public static final String FINAL_PROCESS = "final";

    /** One write as the checker reconstructs it. */
    private static final class Write {
        final String value;
        final TopicPartition tp;
        final String process;
        final int seq;
        OpType outcome = OpType.INVOKE;
        long ackOffset = -1;

        Write(String value, TopicPartition tp, String process, int seq) {
            this.value = value;
            this.tp = tp;
            this.process = process;
            this.seq = seq;
        }
    }

    private record Position(TopicPartition tp, long offset) {
        @Override
        public String toString() {
            return tp + "@" + offset;
        }
    }

    public CheckResult check(List<Op> history) {
        CheckResult result = new CheckResult();
        Map<String, Write> writes = new LinkedHashMap<>();
        Map<String, Integer> seqByProcess = new HashMap<>();
        Map<TopicPartition, NavigableMap<Long, Set<String>>> valuesAtOffset = new HashMap<>();
        Map<String, Set<Position>> positionsOfValue = new HashMap<>();
        Map<TopicPartition, Long> maxReadOffset = new HashMap<>();
        Set<String> readValues = new HashSet<>();
        Set<String> finalValues = new HashSet<>();
        Map<TopicPartition, Long> finalMaxOffset = new HashMap<>();
        boolean finalRead = false;

        for (Op op : history) {
            if (op.kind() == OpKind.SEND) {
                TopicPartition tp = new TopicPartition(op.topic(), op.partition());
                if (op.type() == OpType.INVOKE) {
                    int seq = seqByProcess.merge(op.process(), 1, Integer::sum);
                    writes.put(op.value(), new Write(op.value(), tp, op.process(), seq));
                    result.stats(op.topic()).sendsInvoked++;
                } else {
                    Write w = writes.get(op.value());
                    if (w == null) {
                        throw new IllegalStateException("completion without invocation: " + op);
                    }
                    w.outcome = op.type();
                    switch (op.type()) {
                        case OK -> {
                            result.stats(op.topic()).sendsOk++;
                            if (op.offset() >= 0) {
                                w.ackOffset = op.offset();
                                observe(valuesAtOffset, positionsOfValue, tp, op.offset(), op.value());
                            }
                        }
                        case FAIL -> result.stats(op.topic()).sendsFailed++;
                        default -> result.stats(op.topic()).sendsUnknown++;
                    }
                }
            } else if (op.kind() == OpKind.REPLICA_DIVERGED) {
                result.record(op.topic(), Anomaly.DIVERGENT_REPLICAS, op.topic() + "-" + op.partition() + " replica on "
                        + op.node() + " differs from offset " + op.offset() + ": " + op.value());
            } else if (op.kind() == OpKind.POLL && op.type() == OpType.OK) {
                boolean isFinal = FINAL_PROCESS.equals(op.process());
                finalRead |= isFinal;
                for (Read r : op.reads()) {
                    if (isFinal) {
                        finalValues.add(r.value());
                        finalMaxOffset.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::max);
                    }
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    observe(valuesAtOffset, positionsOfValue, tp, r.offset(), r.value());
                    maxReadOffset.merge(tp, r.offset(), Math::max);
                    readValues.add(r.value());
                    result.stats(r.topic()).recordsRead++;
                }
            }
        }

        checkInconsistentOffsets(result, valuesAtOffset);
        checkDuplicates(result, positionsOfValue);
        if (finalRead) {
            checkLostAndUnseen(result, writes, finalValues, finalMaxOffset);
        } else {
            checkLostAndUnseen(result, writes, readValues, maxReadOffset);
        }
        checkReordering(result, writes, positionsOfValue);
        CommittedOffsetCheck.check(result, history);
        checkSkips(result, history, valuesAtOffset);
        UncommittedReadCheck.check(result, history);
        SplitBrainCheck.check(result, history);
        return result;
    }

    private static void observe(Map<TopicPartition, NavigableMap<Long, Set<String>>> valuesAtOffset,
                                Map<String, Set<Position>> positionsOfValue, TopicPartition tp, long offset,
                                String value) {
        valuesAtOffset.computeIfAbsent(tp, k -> new TreeMap<>()).computeIfAbsent(offset, k -> new TreeSet<>()).add(value);
        positionsOfValue.computeIfAbsent(value, k -> new TreeSet<>(Comparator.comparing(Position::toString)))
                .add(new Position(tp, offset));
    }

    private static void checkInconsistentOffsets(CheckResult result,
                                                 Map<TopicPartition, NavigableMap<Long, Set<String>>> valuesAtOffset) {
        valuesAtOffset.forEach((tp, byOffset) -> byOffset.forEach((offset, values) -> {
            if (values.size() > 1) {
                result.record(tp.topic(), Anomaly.INCONSISTENT_OFFSET, tp + "@" + offset + " holds " + values);
            }
        }));
    }

    private static void checkDuplicates(CheckResult result, Map<String, Set<Position>> positionsOfValue) {
        positionsOfValue.forEach((value, positions) -> {
            if (positions.size() > 1) {
                result.record(positions.iterator().next().tp().topic(), Anomaly.DUPLICATE, value + " at " + positions);
            }
        });
    }

    private static void checkLostAndUnseen(CheckResult result, Map<String, Write> writes,
                                           Set<String> readValues, Map<TopicPartition, Long> maxReadOffset) {
        // For writes acknowledged without an offset (acks=0): the highest send seq read per producer and partition.
        Map<String, Integer> maxSeqRead = new HashMap<>();
        for (Write w : writes.values()) {
            if (readValues.contains(w.value)) {
                maxSeqRead.merge(w.process + "|" + w.tp, w.seq, Math::max);
            }
        }
        for (Write w : writes.values()) {
            if (w.outcome != OpType.OK || readValues.contains(w.value)) {
                continue;
            }
            boolean readPast;
            String where;
            if (w.ackOffset >= 0) {
                long max = maxReadOffset.getOrDefault(w.tp, -1L);
                readPast = max > w.ackOffset;
                where = w.tp + "@" + w.ackOffset + " (reads reached " + max + ")";
            } else {
                readPast = maxSeqRead.getOrDefault(w.process + "|" + w.tp, 0) > w.seq;
                where = w.tp + " (no offset; a later value of " + w.process + " was " + (readPast ? "" : "not ") + "read)";
            }
            result.record(w.tp.topic(), readPast ? Anomaly.LOST : Anomaly.UNSEEN, w.value + " acked at " + where);
        }
    }

    private static void checkReordering(CheckResult result, Map<String, Write> writes,
                                        Map<String, Set<Position>> positionsOfValue) {
        Map<String, List<long[]>> byProducerPartition = new HashMap<>();
        for (Write w : writes.values()) {
            long offset = w.ackOffset;
            if (offset < 0) {
                Set<Position> seen = positionsOfValue.get(w.value);
                if (seen == null) {
                    continue;
                }
                offset = seen.stream().filter(p -> p.tp().equals(w.tp)).mapToLong(Position::offset).min().orElse(-1);
            }
            if (offset >= 0 && (w.outcome == OpType.OK || positionsOfValue.containsKey(w.value))) {
                byProducerPartition.computeIfAbsent(w.process + "|" + w.tp, k -> new ArrayList<>())
                        .add(new long[] {w.seq, offset});
            }
        }
        byProducerPartition.forEach((key, list) -> {
            list.sort(Comparator.comparingLong(a -> a[0]));
            for (int i = 1; i < list.size(); i++) {
                if (list.get(i)[1] < list.get(i - 1)[1]) {
                    String topic = key.substring(key.indexOf('|') + 1, key.lastIndexOf('-'));
                    result.record(topic, Anomaly.REORDERED, key + ": send #" + list.get(i - 1)[0] + " at offset "
                            + list.get(i - 1)[1] + " but send #" + list.get(i)[0] + " at offset " + list.get(i)[1]);
                }
            }
        });
    }

    private static void checkSkips(CheckResult result, List<Op> history,
                                   Map<TopicPartition, NavigableMap<Long, Set<String>>> valuesAtOffset) {
        Map<String, Long> lastOffset = new HashMap<>();
        for (Op op : history) {
            if (op.kind() == OpKind.SEEK && op.type() == OpType.OK) {
                String key = op.process() + "|" + new TopicPartition(op.topic(), op.partition());
                if (op.offset() >= 0) {
                    lastOffset.put(key, op.offset() - 1);
                } else {
                    lastOffset.remove(key); // position unknown: the next read starts a fresh chain
                }
            } else if (op.kind() == OpKind.POLL && op.type() == OpType.OK) {
                for (Read r : op.reads()) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    String key = op.process() + "|" + tp;
                    Long last = lastOffset.get(key);
                    if (last != null && r.offset() > last + 1) {
                        NavigableMap<Long, Set<String>> between = valuesAtOffset.getOrDefault(tp, new TreeMap<>())
                                .subMap(last, false, r.offset(), false);
                        if (!between.isEmpty()) {
                            result.record(tp.topic(), Anomaly.SKIPPED, op.process() + " read " + tp + "@" + last
                                    + " then @" + r.offset() + " skipping " + between.size() + " records, first "
                                    + between.firstEntry());
                        }
                    }
                    lastOffset.put(key, r.offset());
                }
            }
        }
    }
}
