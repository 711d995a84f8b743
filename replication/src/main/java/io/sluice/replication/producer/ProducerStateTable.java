package io.sluice.replication.producer;

import io.sluice.storage.batch.RecordBatchHeader;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Idempotent-producer state of one partition (Kafka's ProducerStateManager, KIP-98): per producer
 * id, the epoch and the last {@link #BATCHES_KEPT} batches' sequence ranges and offsets. A retried
 * batch that matches one of them is a duplicate and is answered with its original offsets; a gap
 * is OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is fenced with INVALID_PRODUCER_EPOCH.
 *
 * <p>Rebuilt from the stored batch headers when the partition is loaded, so it survives a restart.
 * Not thread-safe: owned by its {@code Partition}, used under the partition's append lock.
 */
public final class ProducerStateTable {

    /** Kafka keeps five: the producer's max.in.flight.requests.per.connection limit for idempotence. */
    public static final int BATCHES_KEPT = 5;

    public static final short NONE = 0;
    public static final short OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
    public static final short INVALID_PRODUCER_EPOCH = 47;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;

    /** One stored batch of a producer. */
    public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset) { }

    /** The verdict on an incoming batch: accept, duplicate of {@code duplicate}, or an error. */
    public record Check(short errorCode, BatchMetadata duplicate) {
        static final Check ACCEPT = new Check(NONE, null);

        public boolean isDuplicate() {
            return duplicate != null;
        }
    }

    private static final class Entry {
        short epoch;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(BATCHES_KEPT);
    }

    private final Map<Long, Entry> producers = new HashMap<>();

    /** Decides what to do with a batch of {@code producerId}; changes nothing. */
    public Check check(long producerId, short epoch, int firstSeq, int lastSeq) {
        Entry e = producers.get(producerId);
        if (e == null) {
            // Unknown producer (new, or its state expired with the log): any sequence is accepted.
            return Check.ACCEPT;
        }
        if (epoch < e.epoch) {
            return new Check(INVALID_PRODUCER_EPOCH, null);
        }
        if (epoch > e.epoch) {
            return firstSeq == 0 ? Check.ACCEPT : new Check(OUT_OF_ORDER_SEQUENCE_NUMBER, null);
        }
        for (BatchMetadata b : e.batches) {
            if (b.firstSeq == firstSeq && b.lastSeq == lastSeq) {
                return new Check(NONE, b);
            }
        }
        BatchMetadata last = e.batches.peekLast();
        if (last == null) {
            return Check.ACCEPT;
        }
        return firstSeq == nextSequence(last.lastSeq) ? Check.ACCEPT : new Check(OUT_OF_ORDER_SEQUENCE_NUMBER, null);
    }

    /** Records a stored batch (after a successful append, or while rebuilding from the log). */
    public void update(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset) {
        Entry e = producers.computeIfAbsent(producerId, id -> new Entry());
        if (epoch != e.epoch) {
            e.batches.clear();
            e.epoch = epoch;
        }
        if (e.batches.size() == BATCHES_KEPT) {
            e.batches.pollFirst();
        }
        e.batches.addLast(new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset));
    }

    /** Records a stored batch from its header; batches without a producer id are ignored. */
    public void update(RecordBatchHeader header) {
        long pid = header.producerId();
        if (pid == NO_PRODUCER_ID || header.isControl()) {
            return;
        }
        update(pid, header.producerEpoch(), header.baseSequence(), header.lastSequence(), header.baseOffset(),
                header.lastOffset());
    }

    /** Forgets batches at or after {@code offset} (the log was truncated there). */
    public void truncateFrom(long offset) {
        for (Iterator<Entry> it = producers.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            e.batches.removeIf(b -> b.lastOffset >= offset);
            if (e.batches.isEmpty()) {
                it.remove();
            }
        }
    }

    public int producerCount() {
        return producers.size();
    }

    /** Sequences wrap to 0 after Integer.MAX_VALUE (Kafka's DefaultRecordBatch.incrementSequence). */
    static int nextSequence(int seq) {
        return seq == Integer.MAX_VALUE ? 0 : seq + 1;
    }
}
