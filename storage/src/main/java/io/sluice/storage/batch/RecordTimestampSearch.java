package io.sluice.storage.batch;

import io.sluice.storage.ErrorCode;

import java.nio.ByteBuffer;

/**
 * ListOffsets by time inside one stored batch, at record granularity as Kafka answers it: the first
 * record at or after a timestamp (Kafka's LogSegment.findOffsetByTimestamp), and the first record
 * holding the batch's max timestamp (KIP-734, DefaultRecordBatch.offsetOfMaxTimestamp). Records
 * are walked with a {@link RecordCursor}; in a LogAppendTime batch every record carries the
 * header's max timestamp. A batch that does not walk (stored before records were validated)
 * answers "not found" and the caller falls back to the batch.
 *
 * <p>Not thread-safe: one per call or per thread. Not a hot path (one batch per ListOffsets).
 */
public final class RecordTimestampSearch {

    /** No record of the batch matches. */
    public static final long NOT_FOUND = -1L;
    /** The batch's records do not walk (stored before Sluice validated records): use the batch instead. */
    public static final long UNREADABLE = -2L;

    private final RecordCursor cursor = new RecordCursor();
    private final RecordBatchHeader header = new RecordBatchHeader();
    private long timestamp = RecordBatchDescriptor.NO_TIMESTAMP;

    /**
     * Offset of the first record of the batch at {@code position} with timestamp {@code >= target}
     * and offset {@code >= minOffset}, else {@link #NOT_FOUND} or {@link #UNREADABLE}. {@link #timestamp()}
     * is then that record's.
     */
    public long firstAtOrAfter(ByteBuffer buffer, int position, long target, long minOffset) {
        return search(buffer, position, target, minOffset, false);
    }

    /** Offset of the first record holding the batch header's max timestamp, else {@link #NOT_FOUND} or {@link #UNREADABLE}. */
    public long offsetOfMaxTimestamp(ByteBuffer buffer, int position) {
        return search(buffer, position, header.wrap(buffer, position).maxTimestamp(), Long.MIN_VALUE, true);
    }

    /** Timestamp of the record the last search found. */
    public long timestamp() {
        return timestamp;
    }

    private long search(ByteBuffer buffer, int position, long target, long minOffset, boolean exact) {
        RecordBatchHeader h = header.wrap(buffer, position);
        boolean logAppendTime = h.isLogAppendTime();
        long baseOffset = h.baseOffset();
        long baseTimestamp = h.baseTimestamp();
        long maxTimestamp = h.maxTimestamp();
        try {
            if (cursor.open(buffer, position) != ErrorCode.NONE) {
                return UNREADABLE;
            }
            while (cursor.next()) {
                long ts = logAppendTime ? maxTimestamp : baseTimestamp + cursor.timestampDelta();
                long offset = baseOffset + cursor.offsetDelta();
                if ((exact ? ts == target : ts >= target) && offset >= minOffset) {
                    timestamp = ts;
                    return offset;
                }
            }
            return cursor.fault() == ErrorCode.NONE ? NOT_FOUND : UNREADABLE;
        } finally {
            cursor.close();
        }
    }
}
