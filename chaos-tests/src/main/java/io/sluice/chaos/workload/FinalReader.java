package io.sluice.chaos.workload;

import io.sluice.chaos.checker.Checker;
import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.history.Read;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * After the faults are healed and the producers stopped, reads every partition from its beginning
 * to its end offset with a fresh consumer, so "never read" means "not in the log". Records into
 * the same history as process {@code final}. Single-use, single-threaded.
 */
public final class FinalReader {
    public static final String PROCESS = Checker.FINAL_PROCESS;

    private final String bootstrap;
    private final String node;
    private final History history;

    public FinalReader(String bootstrap, String node, History history) {
        this.bootstrap = bootstrap;
        this.node = node;
        this.history = history;
    }

    /** Returns true if every partition was read to its end offset within {@code timeout}. */
    public boolean readAll(List<TopicSpec> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> tps = new ArrayList<>();
        for (TopicSpec t : topics) {
            for (int p = 0; p < t.partitions(); p++) {
                tps.add(new TopicPartition(t.name(), p));
            }
        }
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(ConsumerWorker.config(bootstrap, PROCESS, null))) {
            c.assign(tps);
            Map<TopicPartition, Long> end = retry(() -> c.endOffsets(tps, Duration.ofSeconds(5)), deadline);
            retry(() -> {
                c.seekToBeginning(tps);
                for (TopicPartition tp : tps) {
                    history.add(OpType.OK, OpKind.SEEK, PROCESS, node, tp.topic(), tp.partition(),
                            c.position(tp, Duration.ofSeconds(5)), null, null, null);
                }
                return null;
            }, deadline);
            Map<TopicPartition, Long> skipped = new HashMap<>();
            while (System.nanoTime() < deadline) {
                try {
                    if (tps.stream().allMatch(tp -> c.position(tp, Duration.ofSeconds(5)) >= end.get(tp))) {
                        return true;
                    }
                    ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(300));
                    if (!records.isEmpty()) {
                        List<Read> reads = new ArrayList<>(records.count());
                        for (ConsumerRecord<String, String> r : records) {
                            reads.add(new Read(r.topic(), r.partition(), r.offset(), r.value()));
                        }
                        history.add(OpType.OK, OpKind.POLL, PROCESS, node, null, -1, -1, null, reads, null);
                    }
                } catch (RuntimeException e) {
                    history.add(OpType.FAIL, OpKind.POLL, PROCESS, node, null, -1, -1, null, null, e.toString());
                    Optional<CorruptRecordSkip.Where> where = CorruptRecordSkip.parse(e);
                    if (where.isPresent() && tps.contains(where.get().tp())) {
                        TopicPartition tp = where.get().tp();
                        long target = Math.max(where.get().offset() + 1, skipped.getOrDefault(tp, -1L) + 1);
                        skipped.put(tp, target);
                        c.seek(tp, target);
                        history.add(OpType.OK, OpKind.SEEK, PROCESS, node, tp.topic(), tp.partition(), target, null,
                                null, "past corrupt record");
                    }
                }
            }
            return false;
        }
    }

    private static <T> T retry(Supplier<T> call, long deadlineNanos) {
        RuntimeException last = null;
        while (System.nanoTime() < deadlineNanos) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                last = e;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        throw last != null ? last : new IllegalStateException("final read timed out before its first call");
    }
}
