package io.sluice.replication.fetcher;

import io.sluice.storage.TopicPartitionId;
import java.nio.ByteBuffer;
import java.util.UUID;

/** A follower replica as its fetcher sees it (implemented by the broker's Partition). Thread-safe. */
public interface FollowerReplica {
    TopicPartitionId topicPartition();

    UUID topicId();

    /** The leader epoch this replica follows: the fetch's currentLeaderEpoch. */
    int leaderEpoch();

    long logEndOffset();

    long logStartOffset();

    /** Epoch of the last batch in the log, -1 if the log is empty: the fetch's lastFetchedEpoch. */
    int lastFetchedEpoch();

    /** Appends the fetched batches byte for byte and learns the leader's high watermark and log start offset; returns a Kafka error code (0 = ok). */
    short appendFromLeader(ByteBuffer batches, long leaderHighWatermark, long leaderLogStartOffset);

    /** The leader answered with a diverging epoch: truncate to where this log and the leader's agree. */
    void truncateToDivergence(int divergingEpoch, long divergingEndOffset);

    /** Empties the log and restarts it at offset (the leader's log start is past this log's end). */
    void truncateFullyAndStartAt(long offset);

    /** Truncates to offset (an unclean leader's log is shorter than this one). */
    void truncateTo(long offset);
}
