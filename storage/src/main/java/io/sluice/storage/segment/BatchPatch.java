package io.sluice.storage.segment;

import io.sluice.storage.batch.RecordBatchHeader;

import java.nio.ByteBuffer;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;

/**
 * What a leader writes into a batch after copying it into the mapping: the base offset, the
 * partition leader epoch (both outside the CRC) and, for LogAppendTime topics, the timestamp type
 * bit and max timestamp (inside the CRC, which is then recomputed, as Kafka does).
 *
 * <p>Mutable and reused by the log's writer under the log's lock; not thread-safe.
 */
public final class BatchPatch {

    private long baseOffset;
    private int leaderEpoch;
    private long logAppendTimeMs = -1L;

    public BatchPatch set(long baseOffset, int leaderEpoch, long logAppendTimeMs) {
        this.baseOffset = baseOffset;
        this.leaderEpoch = leaderEpoch;
        this.logAppendTimeMs = logAppendTimeMs;
        return this;
    }

    void apply(ByteBuffer buf, int position) {
        buf.putLong(position + BASE_OFFSET_OFFSET, baseOffset);
        buf.putInt(position + PARTITION_LEADER_EPOCH_OFFSET, leaderEpoch);
        if (logAppendTimeMs >= 0) {
            short attributes = buf.getShort(position + ATTRIBUTES_OFFSET);
            buf.putShort(position + ATTRIBUTES_OFFSET, (short) (attributes | TIMESTAMP_TYPE_MASK));
            buf.putLong(position + MAX_TIMESTAMP_OFFSET, logAppendTimeMs);
            int size = buf.getInt(position + LENGTH_OFFSET) + LOG_OVERHEAD;
            buf.putInt(position + CRC_OFFSET, (int) RecordBatchHeader.computeCrc(buf, position, size));
        }
    }
}
