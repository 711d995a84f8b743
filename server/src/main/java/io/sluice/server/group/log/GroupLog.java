package io.sluice.server.group.log;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One partition of {@code __consumer_offsets} as the group coordinator sees it: append a set of
 * records atomically (one batch), read everything back from the log start, and drop a prefix once
 * a full snapshot of the state has been written after it (the bounded rewrite that stands in for
 * compaction). Owned by one coordinator shard; called from the coordinator thread only.
 */
public interface GroupLog {

    /**
     * Appends the records as one batch now, in the caller's thread, and completes once the in-sync
     * replicas have it (acks=all), so what it says survives a coordinator failover. Appends complete
     * in the order they were made.
     *
     * @return a Kafka error code: NONE, or the storage/partition error (e.g. NOT_LEADER_OR_FOLLOWER,
     *         MESSAGE_TOO_LARGE, KAFKA_STORAGE_ERROR, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT)
     */
    CompletableFuture<Short> append(List<GroupRecords.Record> records);

    /** Feeds every stored record, from the log start to the log end, in offset order. */
    void replay(Consumer<GroupRecords.Record> visitor);

    /** Offset the next appended record gets. */
    long logEndOffset();

    /** Bytes stored in the partition (all segments). */
    long sizeInBytes();

    /** Makes {@code offset} the new log start: everything below it is no longer read. */
    void deleteBefore(long offset);
}
