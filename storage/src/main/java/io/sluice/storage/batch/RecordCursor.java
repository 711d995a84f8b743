package io.sluice.storage.batch;

import io.sluice.storage.ErrorCode;
import org.xerial.snappy.SnappyError;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;
import static io.sluice.storage.batch.RecordDescriptor.VARINT_BYTES_MAX;
import static io.sluice.storage.batch.RecordDescriptor.VARLONG_BYTES_MAX;

/**
 * Walks the records of one v2 batch ({@link RecordDescriptor}), one {@link #next()} per record,
 * reading only the varint fields: keys, values and headers are skipped, never copied. An
 * uncompressed batch is read in place (absolute gets on the caller's buffer, no copy). A compressed
 * one is decompressed as a stream ({@link Decompression}) into one reused chunk of
 * {@link #CHUNK_BYTES}, so memory stays bounded whatever the batch holds.
 *
 * <p>A malformed record ends the walk with a fault ({@link ErrorCode#INVALID_RECORD}, as Kafka's
 * DefaultRecord reader throws InvalidRecordException; {@link ErrorCode#UNKNOWN_SERVER_ERROR} for a
 * compressed stream that does not decompress, as Kafka answers it) and a reason for the log line;
 * the walk never throws for bad input. Each skip is bounded by the record's own length field, so a decompression
 * bomb costs at most what the record claims.
 *
 * <p>Not thread-safe: one per thread, reused batch after batch; {@link #close()} after each batch
 * releases the decompressor (zstd holds native memory).
 */
public final class RecordCursor implements AutoCloseable {

    /** Decompressed bytes read from the stream at a time (Kafka's ChunkedBytesStream uses 16 KiB too). */
    public static final int CHUNK_BYTES = 16 * 1024;
    /** The smallest record header: a key length varint and a value length varint, one byte each. */
    private static final int HEADER_BYTES_MIN = 2;

    private final Decompression decompression = new Decompression();
    private byte[] chunk;
    private ByteBuffer chunkBuffer;

    /** Where bytes are read: the batch's own buffer, or {@link #chunkBuffer} for a compressed batch. */
    private ByteBuffer window;
    private int pos;
    private int end;
    /** Bytes of the record stream before {@code window[0]} (negative for an in-place window: its records start later). */
    private long windowBase;
    private InputStream stream;

    private int recordsLeft;
    private short fault;
    private String faultReason;

    private long timestampDelta;
    private int offsetDelta;
    private int keyLength;

    /**
     * Points the cursor at the records of the batch at {@code position}, whose header, size and CRC
     * were checked ({@link RecordBatchValidator}) and whose codec is known.
     *
     * @return {@link ErrorCode#NONE}, or the fault if the compressed stream cannot even be opened
     */
    public short open(ByteBuffer buffer, int position) {
        close();
        fault = ErrorCode.NONE;
        faultReason = null;
        int size = buffer.getInt(position + LENGTH_OFFSET) + LOG_OVERHEAD;
        int recordsStart = position + RECORDS_OFFSET;
        int recordsEnd = position + size;
        recordsLeft = buffer.getInt(position + RECORD_COUNT_OFFSET);
        int codec = buffer.getShort(position + ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK;
        if (codec == 0) {
            window = buffer;
            pos = recordsStart;
            end = recordsEnd;
            windowBase = -recordsStart;
            return ErrorCode.NONE;
        }
        if (chunk == null) {
            chunk = new byte[CHUNK_BYTES];
            chunkBuffer = ByteBuffer.wrap(chunk);
        }
        window = chunkBuffer;
        pos = 0;
        end = 0;
        windowBase = 0;
        try {
            stream = decompression.open(codec, buffer, recordsStart, recordsEnd - recordsStart);
        } catch (IOException | RuntimeException | SnappyError e) {
            // Kafka's wrapForInput turns any failure here into a KafkaException: UNKNOWN_SERVER_ERROR.
            fail(ErrorCode.UNKNOWN_SERVER_ERROR, "compressed records do not decompress");
        }
        return fault;
    }

    /**
     * Reads the next record's fields; false after the header's record count, or on a fault (then
     * {@link #fault()} says which).
     */
    public boolean next() {
        if (recordsLeft <= 0 || fault != ErrorCode.NONE) {
            return false;
        }
        recordsLeft--;
        if (pos == end && !refill()) {
            return fail("fewer records than the header's record count");
        }
        int length = readVarint();
        long start = consumed();
        long recordEnd = start + length;
        if (length < RecordDescriptor.BODY_BYTES_MIN) {
            return fault == ErrorCode.NONE ? fail("record length below the smallest record") : false;
        }
        readByte(); // attributes: unused in v2
        timestampDelta = readVarlong();
        offsetDelta = readVarint();
        keyLength = readVarint();
        skip(keyLength, recordEnd);
        skip(readVarint(), recordEnd);
        int headers = readVarint();
        if (headers < 0 && fault == ErrorCode.NONE) {
            return fail("negative record header count");
        }
        // Each header takes at least HEADER_BYTES_MIN: without this a count of 2^31-1 would read on
        // through the following records (the loop below is bounded by the count only).
        if (fault == ErrorCode.NONE && headers > (recordEnd - consumed()) / HEADER_BYTES_MIN) {
            return fail("more record headers than the record's bytes can hold");
        }
        for (int i = 0; i < headers && fault == ErrorCode.NONE; i++) {
            int headerKeyLength = readVarint();
            if (headerKeyLength < 0 && fault == ErrorCode.NONE) {
                return fail("record header with a null key");
            }
            skip(headerKeyLength, recordEnd);
            skip(readVarint(), recordEnd);
        }
        if (fault == ErrorCode.NONE && consumed() != recordEnd) {
            return fail("record length does not match its fields");
        }
        return fault == ErrorCode.NONE;
    }

    /**
     * After the last {@link #next()}: the record bytes must end with the last record (Kafka:
     * "Incorrect declared batch size"). Closes the decompressor.
     *
     * @return {@link ErrorCode#NONE} or the fault
     */
    public short finish() {
        if (fault == ErrorCode.NONE && recordsLeft > 0) {
            fail("fewer records than the header's record count");
        }
        if (fault == ErrorCode.NONE && (pos != end || (stream != null && refill()))) {
            fail("bytes after the header's record count of records");
        }
        close();
        return fault;
    }

    public short fault() {
        return fault;
    }

    /** Why the walk failed (a constant text for the log line), null if it did not. */
    public String faultReason() {
        return faultReason;
    }

    public long timestampDelta() {
        return timestampDelta;
    }

    public int offsetDelta() {
        return offsetDelta;
    }

    /** -1 for a null key. */
    public int keyLength() {
        return keyLength;
    }

    @Override
    public void close() {
        InputStream s = stream;
        stream = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException ignored) {
                // in-memory source: nothing to report; the native context is released either way
            }
        }
    }

    // ---------------------------------------------------------------- bytes

    private boolean fail(String reason) {
        return fail(ErrorCode.INVALID_RECORD, reason);
    }

    private boolean fail(short error, String reason) {
        if (fault == ErrorCode.NONE) {
            fault = error;
            faultReason = reason;
        }
        return false;
    }

    private long consumed() {
        return windowBase + pos;
    }

    /** Next byte 0..255, or -1 at the end of the records (a fault is set then). */
    private int readByte() {
        if (pos == end && !refill()) {
            fail("records end inside a record");
            return -1;
        }
        return window.get(pos++) & 0xFF;
    }

    /** Zigzag varint as Kafka's ByteUtils.readVarint: at most 5 bytes. */
    private int readVarint() {
        int raw = 0;
        for (int shift = 0, i = 0; i < VARINT_BYTES_MAX; i++, shift += 7) {
            int b = readByte();
            if (b < 0) {
                return 0;
            }
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        fail("varint longer than 5 bytes");
        return 0;
    }

    /** Zigzag varlong as Kafka's ByteUtils.readVarlong: at most 10 bytes. */
    private long readVarlong() {
        long raw = 0;
        for (int shift = 0, i = 0; i < VARLONG_BYTES_MAX; i++, shift += 7) {
            int b = readByte();
            if (b < 0) {
                return 0;
            }
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        fail("varlong longer than 10 bytes");
        return 0;
    }

    /** Skips {@code n} bytes (nothing for a null length), never past {@code recordEnd}. */
    private void skip(int n, long recordEnd) {
        if (n <= 0 || fault != ErrorCode.NONE) {
            return;
        }
        if (consumed() + n > recordEnd) {
            fail("field longer than its record");
            return;
        }
        while (n > 0) {
            if (pos == end && !refill()) {
                fail("records end inside a record");
                return;
            }
            int k = Math.min(n, end - pos);
            pos += k;
            n -= k;
        }
    }

    /** Reads the next chunk of a compressed stream; false at its end (or for an in-place window). */
    private boolean refill() {
        if (stream == null) {
            return false;
        }
        try {
            int n;
            do {
                n = stream.read(chunk, 0, chunk.length);
            } while (n == 0);
            if (n < 0) {
                return false;
            }
            windowBase += end;
            pos = 0;
            end = n;
            return true;
        } catch (IOException | RuntimeException | SnappyError e) {
            // A corrupt stream (bad block, checksum, frame, a snappy block or zstd window larger than its
            // bound; SnappyError if snappy-java's native code fails): the bytes passed the CRC, so the producer wrote them so. Kafka's record
            // iterator answers a premature end (EOFException) with INVALID_RECORD and any other failure
            // with a KafkaException, i.e. UNKNOWN_SERVER_ERROR (measured against Kafka 4.4.0): the same here.
            fail(e instanceof EOFException ? ErrorCode.INVALID_RECORD : ErrorCode.UNKNOWN_SERVER_ERROR,
                    "compressed records do not decompress");
            close();
            return false;
        }
    }
}
