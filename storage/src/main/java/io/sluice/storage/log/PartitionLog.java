package io.sluice.storage.log;

import io.sluice.storage.TopicPartitionId;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The log of one partition on one broker: memory-mapped segments of Kafka v2 batches, a sparse
 * offset and time index per segment, and a leader-epoch cache. Obtained from {@link LogManager},
 * which owns it and closes it.
 *
 * <p>Thread-safety: all methods are thread-safe. Mutations (append, truncate, deleteRecords,
 * roll, retention, flush) are serialised per log; the broker should append from one thread at a
 * time per partition (it may be a different thread over time). Reads, {@link #logEndOffset()} and
 * the offset lookups run concurrently with appends without blocking: the end offset is published
 * after the bytes are in the mapping, so a reader never sees a batch that is half written.
 *
 * <p>Hot paths ({@link #append}, {@link #appendAsFollower}, {@link #read}) return Kafka error codes;
 * they do not throw for bad input or I/O failure. An I/O failure (disk full, EIO) answers
 * {@code KAFKA_STORAGE_ERROR}, takes the log offline and reports its log dir to the LogManager.
 */
public interface PartitionLog extends AutoCloseable {

    TopicPartitionId topicPartition();

    /** The partition directory. */
    Path dir();

    LogConfig config();

    /** Applies new topic configs (AlterConfigs); takes effect from the next append / retention run. */
    void updateConfig(LogConfig config);

    /**
     * Leader append: validates exactly one v2 batch (position to limit of {@code batch}) by its
     * header and CRC and then record by record (Kafka's LogValidator: {@code RecordValidator}), gives
     * it the next offsets and writes its base offset and {@code leaderEpoch} as partition leader epoch
     * and its true max timestamp (for LogAppendTime topics the broker's clock, with the attributes),
     * recomputing the CRC when that changed a byte;
     * everything else is stored as received. An invalid batch is refused with its Kafka error and
     * nothing is written. A new leader epoch is recorded in the leader-epoch cache.
     *
     * @param batch not modified; its position is not moved
     */
    AppendResult append(ByteBuffer batch, int leaderEpoch);

    /**
     * Follower append: one or more batches back to back, stored with the offsets and leader epochs
     * the leader gave them (the first base offset must be at least the log end offset; offsets must
     * grow). New epochs go into the leader-epoch cache.
     */
    AppendResult appendAsFollower(ByteBuffer batches);

    /**
     * Reads whole batches starting with the one that holds {@code offset}, up to {@code maxBytes},
     * from a single segment, as a slice of its mapping. At the log end offset the result is empty;
     * below the log start offset or beyond the log end offset it is {@code OFFSET_OUT_OF_RANGE}.
     *
     * @param minOneMessage if the first batch is bigger than {@code maxBytes}, return it alone
     *                      anyway (Kafka's fetch semantics for the first partition of a request)
     * @return a result the caller must {@link LogReadResult#close() close}
     */
    LogReadResult read(long offset, int maxBytes, boolean minOneMessage);

    /**
     * As {@link #read(long, int, boolean)}, but returns no batch whose base offset is at or beyond
     * {@code maxOffsetExclusive} (the high watermark for consumers, the LSO for read_committed later).
     * Reading at or past that bound (but within the log) returns an empty result, not an error.
     */
    LogReadResult read(long offset, int maxBytes, boolean minOneMessage, long maxOffsetExclusive);

    /** First offset still readable. */
    long logStartOffset();

    /** Offset the next appended batch gets. */
    long logEndOffset();

    /** Last offset known forced to disk (everything below it survives a crash). */
    long recoveryPoint();

    /** Bytes stored in all segments. */
    long sizeInBytes();

    /**
     * Bytes from the batch holding {@code offset} to the log end: what a replica whose log ends at
     * {@code offset} has yet to fetch (0 at or past the log end). Reads the offset index and batch
     * headers of one segment: for scrapes and tools, not the request path.
     */
    long bytesFrom(long offset);

    int segmentCount();

    /**
     * ListOffsets by timestamp, or by the sentinels {@link TimestampOffset#EARLIEST_TIMESTAMP},
     * {@link TimestampOffset#LATEST_TIMESTAMP}, {@link TimestampOffset#MAX_TIMESTAMP},
     * {@link TimestampOffset#EARLIEST_LOCAL_TIMESTAMP}. For a real timestamp: the first record (at or
     * after the log start offset) whose timestamp is at least {@code timestamp}, or offset -1 if none;
     * for MAX_TIMESTAMP the first record holding the largest timestamp (KIP-734), as Kafka answers.
     */
    TimestampOffset offsetForTimestamp(long timestamp);

    /**
     * The base offset of the first batch (at or after the log start) whose max timestamp is at least
     * {@code timestamp}, empty batches included, or the log end offset if none: where a scan of batch
     * headers written since a time starts. Unlike {@link #offsetForTimestamp} it does not skip a batch
     * without records, such as the empty header a cleaning keeps of a producer's last batch.
     */
    long firstBatchOffsetAtOrAfter(long timestamp);

    /**
     * Visits stored batch headers from the batch holding {@code fromOffset} (or the log start) to the
     * log end, e.g. to rebuild idempotent-producer state. Stops when the visitor returns false.
     */
    void scanBatchHeaders(long fromOffset, BatchHeaderVisitor visitor);

    /** DeleteRecords: moves the log start offset up to {@code offset} (at most the log end offset). */
    DeleteRecordsResult deleteRecords(long offset);

    /**
     * Removes everything from the batch holding {@code offset} on (replication: divergent suffix).
     * No-op if {@code offset >= logEndOffset()}. If below the log start offset, the log is emptied
     * and restarts at {@code offset}. The leader-epoch cache is truncated to match.
     *
     * @return the new log end offset
     */
    long truncateTo(long offset);

    /**
     * Deletes every segment and restarts the log, empty, at {@code offset}, which may lie beyond the
     * log end (a follower whose leader's log start has passed its end). The epoch cache is cleared.
     */
    void truncateFullyAndStartAt(long offset);

    /** Records that {@code epoch} starts at {@code startOffset} (a new leader, before its first append). */
    void assignEpochStartOffset(int epoch, long startOffset);

    /** OffsetForLeaderEpoch (Kafka's LeaderEpochFileCache.endOffsetFor semantics). */
    EpochEndOffset endOffsetForEpoch(int epoch);

    /** Latest leader epoch in the cache, -1 if none. */
    int latestEpoch();

    /** Rolls a new active segment now if the active one is not empty (an admin/test hook). */
    void roll();

    /** Forces everything appended so far to disk and moves the recovery point to the log end offset. */
    void flush();

    /** True when an I/O failure took this log offline; every operation then answers KAFKA_STORAGE_ERROR. */
    boolean isOffline();

    /** Flushes, writes the index files and releases mappings and files. Idempotent. */
    @Override
    void close();
}
