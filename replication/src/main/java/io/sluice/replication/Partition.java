package io.sluice.replication;

import io.sluice.replication.producer.ProducerStateTable;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.log.AppendResult;
import io.sluice.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A partition led by this broker: its log, leader epoch, idempotent-producer state and the
 * replica set that decides the high watermark. Appends are serialised by the partition's lock
 * (producer check, log append and state update must be atomic); reads go to the log without it.
 * Owned by {@link ReplicaManager}; thread-safe.
 */
public final class Partition {

    /** Told after each append, outside the append lock (wakes parked fetches). Must not block. */
    @FunctionalInterface
    public interface AppendListener {
        void onAppend(Partition partition);
    }

    /**
     * Outcome of a leader append; offsets are those of the stored (or originally stored) batch.
     * {@code errorMessage} says why a batch was refused where the code alone does not (a record fault).
     */
    public record Append(short errorCode, long baseOffset, long lastOffset, long logAppendTimeMs,
                         long logStartOffset, boolean duplicate, String errorMessage) {
        static Append error(short code, long logStartOffset) {
            return error(code, logStartOffset, null);
        }

        static Append error(short code, long logStartOffset, String errorMessage) {
            return new Append(code, -1, -1, -1, logStartOffset, false, errorMessage);
        }
    }

    public static final short INVALID_TXN_STATE = 48;

    private final TopicPartitionId id;
    private final UUID topicId;
    private final PartitionLog log;
    private final ReplicaSet replicas;
    private final ProducerStateTable producers = new ProducerStateTable();
    private final RecordBatchHeader header = new RecordBatchHeader();
    private final AtomicLong appendedBytes = new AtomicLong();
    private final Set<AppendListener> listeners = ConcurrentHashMap.newKeySet();
    private volatile int leaderEpoch;
    /**
     * The log end offset as of the last append that has returned, its flush included. The log's own
     * end moves inside the append, before a {@code flush.messages} flush; publishing only this keeps
     * readers from seeing a record that a power loss could still take back (Kafka, too, advances
     * the high watermark after the append call). Written under the partition lock.
     */
    private volatile long publishedEnd;

    Partition(TopicPartitionId id, UUID topicId, PartitionLog log, ReplicaSet replicas, int leaderEpoch) {
        this.id = id;
        this.topicId = topicId;
        this.log = log;
        this.replicas = replicas;
        this.leaderEpoch = leaderEpoch;
        this.publishedEnd = log.logEndOffset();
    }

    /**
     * Rebuilds the producer state from the stored batch headers written in the last
     * {@code producerIdExpirationMs} (Kafka forgets producers idle that long, so older batches
     * cannot matter); the scan reads headers only and is bounded by that window, not by the log.
     */
    void loadProducerState(long nowMs, long producerIdExpirationMs) {
        synchronized (this) {
            long from = log.logStartOffset();
            io.sluice.storage.log.TimestampOffset t = log.offsetForTimestamp(Math.max(0, nowMs - producerIdExpirationMs));
            if (t.errorCode() == ErrorCode.NONE) {
                from = t.offset() < 0 ? log.logEndOffset() : Math.max(from, t.offset());
            }
            log.scanBatchHeaders(from, stored -> {
                producers.update(stored);
                return true;
            });
        }
    }

    /** A new leader epoch from the metadata quorum (this broker stays leader). */
    synchronized void becomeLeader(int epoch) {
        if (epoch > leaderEpoch || log.latestEpoch() < epoch) {
            leaderEpoch = epoch;
            if (log.latestEpoch() < epoch) {
                log.assignEpochStartOffset(epoch, log.logEndOffset());
            }
        }
    }

    /**
     * Appends one produced batch (records from position to limit), checking the idempotent
     * producer's sequence first. The buffer is not modified. Thread-safe.
     */
    public Append appendAsLeader(ByteBuffer batch) {
        Append result;
        synchronized (this) {
            result = appendLocked(batch);
            publishedEnd = log.logEndOffset();
        }
        if (result.errorCode == ErrorCode.NONE && !result.duplicate) {
            appendedBytes.addAndGet(batch.remaining());
            for (AppendListener l : listeners) {
                l.onAppend(this);
            }
        }
        return result;
    }

    private Append appendLocked(ByteBuffer batch) {
        if (batch.remaining() < RecordBatchDescriptor.HEADER_LENGTH) {
            return Append.error(ErrorCode.CORRUPT_MESSAGE, log.logStartOffset());
        }
        RecordBatchHeader h = header.wrap(batch, batch.position());
        if (h.magic() != RecordBatchDescriptor.MAGIC_V2) {
            // Kafka's ProduceRequest.validateRecords: v3+ produce requests carry magic 2 only.
            return Append.error(ErrorCode.INVALID_RECORD, log.logStartOffset());
        }
        if (h.isTransactional()) {
            // Transactions come with their own issue; Kafka also refuses them without a coordinator.
            return Append.error(INVALID_TXN_STATE, log.logStartOffset());
        }
        long pid = h.producerId();
        short epoch = h.producerEpoch();
        int firstSeq = h.baseSequence();
        int lastSeq = h.lastSequence();
        if (pid != ProducerStateTable.NO_PRODUCER_ID) {
            ProducerStateTable.Check check = producers.check(pid, epoch, firstSeq, lastSeq);
            if (check.errorCode() != ErrorCode.NONE) {
                return Append.error(check.errorCode(), log.logStartOffset());
            }
            if (check.isDuplicate()) {
                ProducerStateTable.BatchMetadata d = check.duplicate();
                return new Append(ErrorCode.NONE, d.firstOffset(), d.lastOffset(), -1, log.logStartOffset(), true, null);
            }
        }
        AppendResult r = log.append(batch, leaderEpoch);
        if (!r.isSuccess()) {
            return Append.error(r.errorCode(), r.logStartOffset(), r.errorMessage());
        }
        if (pid != ProducerStateTable.NO_PRODUCER_ID) {
            producers.update(pid, epoch, firstSeq, lastSeq, r.firstOffset(), r.lastOffset());
        }
        return new Append(ErrorCode.NONE, r.firstOffset(), r.lastOffset(), r.logAppendTimeMs(), r.logStartOffset(), false,
                null);
    }

    public TopicPartitionId id() {
        return id;
    }

    public String topic() {
        return id.topic();
    }

    public int partition() {
        return id.partition();
    }

    public UUID topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public ReplicaSet replicas() {
        return replicas;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** The end of what readers may see: published appends, as far as the replica set has them. */
    public long highWatermark() {
        return replicas.highWatermark(Math.min(publishedEnd, log.logEndOffset()));
    }

    /** Bytes appended since the broker started (monotonic; parked fetches measure new data with it). */
    public long appendedBytes() {
        return appendedBytes.get();
    }

    public void addAppendListener(AppendListener l) {
        listeners.add(l);
    }

    public void removeAppendListener(AppendListener l) {
        listeners.remove(l);
    }

    @Override
    public String toString() {
        return "Partition{" + id + " epoch=" + leaderEpoch + "}";
    }
}
