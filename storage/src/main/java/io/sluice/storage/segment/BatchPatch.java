package io.sluice.storage.segment;

import io.sluice.storage.batch.RecordBatchHeader;

import java.nio.ByteBuffer;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;

/**
 * What a leader writes into a batch after copying it into the mapping: the base offset and the
 * partition leader epoch (both outside the CRC), and the timestamp type bit and max timestamp
 * (inside the CRC, which is then recomputed, as Kafka's DefaultRecordBatch.setMaxTimestamp does):
 * for LogAppendTime topics the broker's clock, for CreateTime topics the max timestamp of the
 * records themselves as the validation pass found it. The CRC is recomputed only if those fields
 * change; a producer that wrote them right (the Java client) costs nothing more.
 *
 * <p>Mutable and reused by the log's writer under the log's lock; not thread-safe.
 */
public final class BatchPatch {

    private long baseOffset;
    private int leaderEpoch;
    private boolean logAppendTime;
    private long maxTimestamp;

    /**
     * @param logAppendTimeMs  the broker time for a LogAppendTime topic, -1 for CreateTime
     * @param recordsMaxTimestamp for CreateTime, the records' true max timestamp (-1 if none has one)
     */
    public BatchPatch set(long baseOffset, int leaderEpoch, long logAppendTimeMs, long recordsMaxTimestamp) {
        this.baseOffset = baseOffset;
        this.leaderEpoch = leaderEpoch;
        this.logAppendTime = logAppendTimeMs >= 0;
        this.maxTimestamp = logAppendTime ? logAppendTimeMs : recordsMaxTimestamp;
        return this;
    }

    void apply(ByteBuffer buf, int position) {
        buf.putLong(position + BASE_OFFSET_OFFSET, baseOffset);
        buf.putInt(position + PARTITION_LEADER_EPOCH_OFFSET, leaderEpoch);
        short attributes = buf.getShort(position + ATTRIBUTES_OFFSET);
        short patched = (short) (logAppendTime ? attributes | TIMESTAMP_TYPE_MASK : attributes & ~TIMESTAMP_TYPE_MASK);
        if (patched == attributes && buf.getLong(position + MAX_TIMESTAMP_OFFSET) == maxTimestamp) {
            return;
        }
        buf.putShort(position + ATTRIBUTES_OFFSET, patched);
        buf.putLong(position + MAX_TIMESTAMP_OFFSET, maxTimestamp);
        int size = buf.getInt(position + LENGTH_OFFSET) + LOG_OVERHEAD;
        buf.putInt(position + CRC_OFFSET, (int) RecordBatchHeader.computeCrc(buf, position, size));
    }
}
