package io.sluice.server.group.log;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One partition of {@code __consumer_offsets} (or {@code __share_group_state}) as a coordinator
 * sees it: append a set of records atomically (one batch), and read everything back from the log
 * start. The log cleaner compacts the partition underneath: a read may meet offset gaps and finds
 * only the latest record of each key (and tombstones younger than {@code delete.retention.ms}).
 * Owned by one coordinator shard; called from the coordinator thread only.
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
}
