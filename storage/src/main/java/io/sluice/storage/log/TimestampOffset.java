package io.sluice.storage.log;

/**
 * ListOffsets answer: an offset, the timestamp it was found by, and the leader epoch of its batch.
 *
 * @param errorCode   Kafka error code ({@code NONE} when found or when there is no such offset)
 * @param offset      the offset, or -1 if no batch has a timestamp at or after the one asked for
 * @param timestamp   the found record's timestamp, -1 for the earliest/latest sentinels or when not found
 * @param leaderEpoch partition leader epoch of that offset, -1 if unknown
 */
public record TimestampOffset(short errorCode, long offset, long timestamp, int leaderEpoch) {

    /** ListOffsets sentinel: the log end offset. */
    public static final long LATEST_TIMESTAMP = -1L;
    /** ListOffsets sentinel: the log start offset. */
    public static final long EARLIEST_TIMESTAMP = -2L;
    /** ListOffsets sentinel (KIP-734): the offset of the first record holding the largest timestamp. */
    public static final long MAX_TIMESTAMP = -3L;
    /** ListOffsets sentinel (KIP-405): earliest local offset; equals the log start offset here. */
    public static final long EARLIEST_LOCAL_TIMESTAMP = -4L;

    public static final long UNKNOWN_OFFSET = -1L;
    public static final int NO_LEADER_EPOCH = -1;
}
