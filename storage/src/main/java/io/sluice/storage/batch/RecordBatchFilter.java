package io.sluice.storage.batch;

import io.sluice.storage.ErrorCode;
import org.xerial.snappy.SnappyError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;

/**
 * The record side of the log cleaner (Kafka's {@code MemoryRecords.filterTo} for v2 batches): loads
 * one stored batch's records ({@link #load}, decompressing the whole stream once), tells the caller
 * each record's offset, key and whether it has a value, and writes the batch again with only the
 * records the caller keeps ({@link #writeRetained}) or as an empty header ({@link #writeEmpty}).
 *
 * <p>A rewritten batch keeps what Kafka's cleaner keeps: the base offset (so the offsets of the kept
 * records, gaps included, do not change), the partition leader epoch, the attributes, the producer
 * id, epoch and base sequence, and every kept record's bytes except its timestamp delta, which is
 * re-encoded only when the base timestamp becomes a delete horizon (KIP-534: then the record's
 * timestamp, base plus delta, still comes out the same). The last offset delta stays (Kafka's
 * {@code overrideLastOffset}: the last sequence must not change), the max timestamp becomes the kept
 * records' largest (LogAppendTime batches keep theirs), and a
 * compressed batch is compressed again with its own codec ({@link Compressors}).
 *
 * <p>Not thread-safe: one per cleaner thread, reused batch after batch; its buffers grow to the
 * largest batch seen, at most {@link #PLAIN_BYTES_MAX} of decompressed records.
 */
public final class RecordBatchFilter {

    /**
     * Largest decompressed record stream loaded. Kafka bounds nothing here; a cleaner thread must, as
     * it holds the whole stream: a batch beyond it makes its partition uncleanable, with this reason.
     */
    public static final int PLAIN_BYTES_MAX = 64 * 1024 * 1024;
    private static final int INITIAL_BYTES = 64 * 1024;

    private final Decompression decompression = new Decompression();
    private byte[] plain = new byte[INITIAL_BYTES];
    private int plainLength;
    private byte[] rebuilt = new byte[INITIAL_BYTES];

    private ByteBuffer batch;
    private int batchPosition;
    private long baseOffset;
    private long baseTimestamp;
    private int count;
    private int[] recordStart = new int[64];
    private int[] recordEnd = new int[64];
    private int[] offsetDeltaPosition = new int[64];
    private int[] offsetDelta = new int[64];
    private long[] timestampDelta = new long[64];
    private int[] keyPosition = new int[64];
    private int[] keyLength = new int[64];
    private boolean[] hasValue = new boolean[64];
    private int[] valuePosition = new int[64];
    private int[] valueLength = new int[64];
    private boolean logAppendTime;
    private long maxTimestamp;
    private String faultReason;
    /** The parse position in {@link #plain}. */
    private int pos;

    /**
     * Loads the records of the stored (validated) batch at {@code position} of {@code buffer}.
     *
     * @return {@link ErrorCode#NONE}, or {@link ErrorCode#CORRUPT_MESSAGE} with {@link #faultReason()}
     */
    public short load(ByteBuffer buffer, int position) {
        this.batch = buffer;
        this.batchPosition = position;
        this.faultReason = null;
        RecordBatchHeader h = new RecordBatchHeader().wrap(buffer, position);
        baseOffset = h.baseOffset();
        baseTimestamp = h.baseTimestamp();
        logAppendTime = h.isLogAppendTime();
        maxTimestamp = h.maxTimestamp();
        int recordsStart = position + RECORDS_OFFSET;
        int recordsLength = h.sizeInBytes() - RECORDS_OFFSET;
        int codec = h.compressionCodec();
        if (codec == 0) {
            ensurePlain(recordsLength);
            buffer.get(recordsStart, plain, 0, recordsLength);
            plainLength = recordsLength;
        } else {
            try (InputStream in = decompression.open(codec, buffer, recordsStart, recordsLength)) {
                plainLength = 0;
                while (true) {
                    if (plainLength == plain.length && !growPlain()) {
                        return fault("decompressed records larger than " + PLAIN_BYTES_MAX + " bytes");
                    }
                    int n = in.read(plain, plainLength, plain.length - plainLength);
                    if (n < 0) {
                        break;
                    }
                    plainLength += n;
                }
            } catch (IOException | RuntimeException | SnappyError e) {
                return fault("compressed records do not decompress: " + e);
            }
        }
        return parse(h.recordCount());
    }

    /** Why the last {@link #load} failed, null if it did not. */
    public String faultReason() {
        return faultReason;
    }

    public int recordCount() {
        return count;
    }

    public long offset(int i) {
        return baseOffset + offsetDelta[i];
    }

    /** The decompressed records; keys are read from here at {@link #keyPosition}. */
    public byte[] plain() {
        return plain;
    }

    public int keyPosition(int i) {
        return keyPosition[i];
    }

    /** -1 for a null key. */
    public int keyLength(int i) {
        return keyLength[i];
    }

    /** False for a tombstone (a null value). */
    public boolean hasValue(int i) {
        return hasValue[i];
    }

    public int valuePosition(int i) {
        return valuePosition[i];
    }

    /** -1 for a null value. */
    public int valueLength(int i) {
        return valueLength[i];
    }

    /** Where the record's headers start in {@link #plain()} (they run to {@link #recordEnd}). */
    public int headersPosition(int i) {
        return valuePosition[i] + Math.max(0, valueLength[i]);
    }

    public int recordEnd(int i) {
        return recordEnd[i];
    }

    /** The record's timestamp: the batch's max timestamp in a LogAppendTime batch, else base plus delta. */
    public long timestamp(int i) {
        return logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta[i];
    }

    /**
     * The loaded batch with only the records whose {@code retain} entry is true (at least one).
     *
     * @param deleteHorizonMs a new delete horizon to write (KIP-534), or {@link RecordBatchDescriptor#NO_TIMESTAMP}
     *                        to keep the batch's base timestamp and horizon flag
     * @return a heap buffer holding the whole batch, position 0, valid until the next call
     */
    public ByteBuffer writeRetained(boolean[] retain, long deleteHorizonMs) {
        RecordBatchHeader h = new RecordBatchHeader().wrap(batch, batchPosition);
        long newBase = deleteHorizonMs == NO_TIMESTAMP ? baseTimestamp : deleteHorizonMs;
        int length = 0;
        int kept = 0;
        long maxTimestamp = Long.MIN_VALUE;
        ByteBuffer varints = ByteBuffer.allocate(RecordDescriptor.VARLONG_BYTES_MAX + RecordDescriptor.VARINT_BYTES_MAX);
        for (int i = 0; i < count; i++) {
            if (!retain[i]) {
                continue;
            }
            long timestamp = baseTimestamp + timestampDelta[i];
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            int rest = recordEnd[i] - offsetDeltaPosition[i];
            varints.clear();
            RecordBatchBuilder.writeVarlong(varints, timestamp - newBase);
            int bodyLength = 1 + varints.position() + rest;
            int timestampBytes = varints.position();
            RecordBatchBuilder.writeVarint(varints, bodyLength);
            int lengthBytes = varints.position() - timestampBytes;
            ensureRebuilt(length + lengthBytes + bodyLength);
            System.arraycopy(varints.array(), timestampBytes, rebuilt, length, lengthBytes);
            length += lengthBytes;
            rebuilt[length++] = plain[recordStart[i]];
            System.arraycopy(varints.array(), 0, rebuilt, length, timestampBytes);
            length += timestampBytes;
            System.arraycopy(plain, offsetDeltaPosition[i], rebuilt, length, rest);
            length += rest;
            kept++;
        }
        if (kept == 0) {
            throw new IllegalStateException("writeRetained with no record kept at offset " + baseOffset);
        }
        ByteBuffer records = ByteBuffer.wrap(rebuilt, 0, length);
        if (h.compressionCodec() != 0) {
            records = Compressors.compress(h.compressionCodec(), records);
        }
        short attributes = h.attributes();
        if (deleteHorizonMs != NO_TIMESTAMP) {
            attributes |= DELETE_HORIZON_FLAG_MASK;
        }
        long headerMax = h.isLogAppendTime() ? h.maxTimestamp() : maxTimestamp;
        // Kafka's overrideLastOffset: the batch keeps its last offset, so its last sequence stays what the
        // producer sent (a retry after a restart is judged against it).
        return header(h, attributes, h.lastOffsetDelta(), newBase, headerMax, kept, records);
    }

    /**
     * The loaded batch as an empty header (Kafka's {@code DefaultRecordBatch.writeEmptyHeader}): no
     * records, no compression, its offset range, producer fields and max timestamp kept; what the
     * cleaner writes for the last batch of a producer whose records all went (idempotence needs its
     * last sequence).
     */
    public ByteBuffer writeEmpty() {
        RecordBatchHeader h = new RecordBatchHeader().wrap(batch, batchPosition);
        short attributes = (short) (h.attributes() & ~COMPRESSION_CODEC_MASK & ~DELETE_HORIZON_FLAG_MASK);
        return header(h, attributes, h.lastOffsetDelta(), h.maxTimestamp(), h.maxTimestamp(), 0,
                ByteBuffer.allocate(0));
    }

    private static ByteBuffer header(RecordBatchHeader h, short attributes, int lastOffsetDelta, long baseTimestamp,
                                     long maxTimestamp, int recordCount, ByteBuffer records) {
        int size = HEADER_LENGTH + records.remaining();
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putLong(BASE_OFFSET_OFFSET, h.baseOffset());
        out.putInt(LENGTH_OFFSET, size - LOG_OVERHEAD);
        out.putInt(PARTITION_LEADER_EPOCH_OFFSET, h.partitionLeaderEpoch());
        out.put(MAGIC_OFFSET, MAGIC_V2);
        out.putShort(ATTRIBUTES_OFFSET, attributes);
        out.putInt(LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
        out.putLong(BASE_TIMESTAMP_OFFSET, baseTimestamp);
        out.putLong(MAX_TIMESTAMP_OFFSET, maxTimestamp);
        out.putLong(PRODUCER_ID_OFFSET, h.producerId());
        out.putShort(PRODUCER_EPOCH_OFFSET, h.producerEpoch());
        out.putInt(BASE_SEQUENCE_OFFSET, h.baseSequence());
        out.putInt(RECORD_COUNT_OFFSET, recordCount);
        out.put(RECORDS_OFFSET, records, records.position(), records.remaining());
        out.putInt(CRC_OFFSET, (int) RecordBatchHeader.computeCrc(out, 0, size));
        return out;
    }

    // ---------------------------------------------------------------- parsing

    private short parse(int recordCount) {
        if (recordCount < 0 || recordCount > plainLength / (RecordDescriptor.BODY_BYTES_MIN + 1)) {
            return fault("record count " + recordCount + " does not fit the records' bytes");
        }
        ensureRecords(recordCount);
        pos = 0;
        for (int i = 0; i < recordCount; i++) {
            recordStart[i] = -1;
            int length = readVarint();
            int bodyStart = pos;
            if (length < RecordDescriptor.BODY_BYTES_MIN || (long) bodyStart + length > plainLength) {
                return fault("record " + i + " has a bad length");
            }
            recordStart[i] = bodyStart; // the attributes byte
            recordEnd[i] = bodyStart + length;
            pos++; // attributes
            timestampDelta[i] = readVarlong();
            offsetDeltaPosition[i] = pos;
            offsetDelta[i] = readVarint();
            int keyLen = readVarint();
            keyLength[i] = keyLen < 0 ? -1 : keyLen;
            keyPosition[i] = pos;
            pos += Math.max(0, keyLen);
            int valueLen = readVarint();
            hasValue[i] = valueLen >= 0;
            valuePosition[i] = pos;
            valueLength[i] = valueLen < 0 ? -1 : valueLen;
            pos += Math.max(0, valueLen);
            if (pos > recordEnd[i] || pos < bodyStart) {
                return fault("record " + i + " fields overrun it");
            }
            pos = recordEnd[i];
        }
        count = recordCount;
        return ErrorCode.NONE;
    }

    private int readVarint() {
        return (int) readVarlong();
    }

    private long readVarlong() {
        long raw = 0;
        for (int shift = 0; shift < 64 && pos < plainLength; shift += 7) {
            int b = plain[pos++] & 0xFF;
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        pos = Integer.MAX_VALUE / 2; // ends the record as an overrun
        return 0;
    }

    private short fault(String reason) {
        count = 0;
        faultReason = reason;
        return ErrorCode.CORRUPT_MESSAGE;
    }

    private void ensurePlain(int bytes) {
        if (plain.length < bytes) {
            plain = new byte[bytes];
        }
    }

    private boolean growPlain() {
        if (plain.length >= PLAIN_BYTES_MAX) {
            return false;
        }
        plain = Arrays.copyOf(plain, Math.min(PLAIN_BYTES_MAX, plain.length * 2));
        return true;
    }

    private void ensureRebuilt(int bytes) {
        if (rebuilt.length < bytes) {
            rebuilt = Arrays.copyOf(rebuilt, Math.max(bytes, rebuilt.length * 2));
        }
    }

    private void ensureRecords(int n) {
        if (recordStart.length >= n) {
            return;
        }
        int size = Math.max(n, recordStart.length * 2);
        recordStart = Arrays.copyOf(recordStart, size);
        recordEnd = Arrays.copyOf(recordEnd, size);
        offsetDeltaPosition = Arrays.copyOf(offsetDeltaPosition, size);
        offsetDelta = Arrays.copyOf(offsetDelta, size);
        timestampDelta = Arrays.copyOf(timestampDelta, size);
        keyPosition = Arrays.copyOf(keyPosition, size);
        keyLength = Arrays.copyOf(keyLength, size);
        hasValue = Arrays.copyOf(hasValue, size);
        valuePosition = Arrays.copyOf(valuePosition, size);
        valueLength = Arrays.copyOf(valueLength, size);
    }
}
