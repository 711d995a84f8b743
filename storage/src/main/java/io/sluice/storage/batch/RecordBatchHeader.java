package io.sluice.storage.batch;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;

/**
 * A flyweight over one v2 batch header inside a {@link ByteBuffer} (a request buffer or a segment
 * mapping). Reads with absolute big-endian gets, never moves the buffer's position.
 *
 * <p>Not thread-safe: one per thread; re-pointed with {@link #wrap}. The values it returns are
 * only meaningful while the buffer it wraps stays valid (a read lease is held).
 */
public final class RecordBatchHeader {

    private ByteBuffer buffer;
    private int offset;

    public RecordBatchHeader wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Position of the batch in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    public long baseOffset() {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET);
    }

    public int lengthField() {
        return buffer.getInt(offset + LENGTH_OFFSET);
    }

    /** Whole batch size in bytes, including base offset and length. */
    public int sizeInBytes() {
        return lengthField() + LOG_OVERHEAD;
    }

    public int partitionLeaderEpoch() {
        return buffer.getInt(offset + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buffer.get(offset + MAGIC_OFFSET);
    }

    /** The stored CRC32C, as an unsigned value. */
    public long crc() {
        return Integer.toUnsignedLong(buffer.getInt(offset + CRC_OFFSET));
    }

    public short attributes() {
        return buffer.getShort(offset + ATTRIBUTES_OFFSET);
    }

    public int compressionCodec() {
        return attributes() & COMPRESSION_CODEC_MASK;
    }

    public boolean isLogAppendTime() {
        return (attributes() & TIMESTAMP_TYPE_MASK) != 0;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_FLAG_MASK) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_FLAG_MASK) != 0;
    }

    /** KIP-534: the batch was cleaned while it held tombstones; its base timestamp is then their delete horizon. */
    public boolean hasDeleteHorizon() {
        return (attributes() & DELETE_HORIZON_FLAG_MASK) != 0;
    }

    /** The delete horizon (KIP-534), or {@link RecordBatchDescriptor#NO_TIMESTAMP} if the batch has none. */
    public long deleteHorizonMs() {
        return hasDeleteHorizon() ? baseTimestamp() : NO_TIMESTAMP;
    }

    public int lastOffsetDelta() {
        return buffer.getInt(offset + LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** Offset after this batch. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    public long baseTimestamp() {
        return buffer.getLong(offset + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buffer.getLong(offset + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET);
    }

    /** Sequence of the batch's last record, with Kafka's wrap-around at Integer.MAX_VALUE. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        long last = (long) base + lastOffsetDelta();
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    public int recordCount() {
        return buffer.getInt(offset + RECORD_COUNT_OFFSET);
    }

    /**
     * Cheap shape check (no CRC) for walking stored batches: a plausible length that ends at or before
     * {@code limit} and magic 2. Zeros (reserved or truncated space) fail it: they end a walk.
     */
    public boolean isPlausible(int limit) {
        int size = sizeInBytes();
        return size >= HEADER_LENGTH && (long) offset + size <= limit && magic() == MAGIC_V2;
    }

    /** CRC32C of attributes..end, computed over the bytes as they are now; {@code size} is the batch size. */
    public static long computeCrc(ByteBuffer buffer, int offset, int size) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buffer.duplicate();
        view.limit(offset + size).position(offset + ATTRIBUTES_OFFSET);
        crc.update(view);
        return crc.getValue();
    }

    @Override
    public String toString() {
        return "RecordBatchHeader{baseOffset=" + baseOffset() + ", size=" + sizeInBytes()
                + ", lastOffsetDelta=" + lastOffsetDelta() + ", epoch=" + partitionLeaderEpoch()
                + ", records=" + recordCount() + ", producerId=" + producerId() + "}";
    }
}
