package io.sluice.storage.batch;

import io.sluice.storage.ErrorCode;

import java.nio.ByteBuffer;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;

/**
 * Checks v2 batches by their header and CRC (the first half of a leader append's validation, all
 * of a follower's; {@link RecordValidator} then walks a leader's records) and maps each fault to
 * the Kafka error code a Kafka broker gives for it:
 * <ul>
 *   <li>fewer bytes than a header, a length field that disagrees with the bytes given, a CRC
 *       mismatch: {@link ErrorCode#CORRUPT_MESSAGE};</li>
 *   <li>magic other than 2: {@link ErrorCode#UNSUPPORTED_FOR_MESSAGE_FORMAT} (Sluice stores v2 only);</li>
 *   <li>batch bigger than {@code max.message.bytes}: {@link ErrorCode#MESSAGE_TOO_LARGE};</li>
 *   <li>record count negative or not {@code lastOffsetDelta + 1}, several batches in one produce,
 *       an unknown compression codec: {@link ErrorCode#INVALID_RECORD}
 *       ({@link ErrorCode#UNSUPPORTED_COMPRESSION_TYPE} for the codec).</li>
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
public final class RecordBatchValidator {

    private RecordBatchValidator() {
    }

    /**
     * Validates the one batch at {@code position}, which must fit in {@code available} bytes.
     *
     * @param strictCount leader appends require {@code recordCount == lastOffsetDelta + 1} (Kafka's
     *                    LogValidator); a follower accepts what its leader stored (compaction may
     *                    leave fewer records than the offset range)
     * @return {@link ErrorCode#NONE} or the error code
     */
    public static short validateBatch(ByteBuffer buffer, int position, int available, int maxMessageBytes,
                                      boolean strictCount) {
        if (available < HEADER_LENGTH) {
            return ErrorCode.CORRUPT_MESSAGE;
        }
        int lengthField = buffer.getInt(position + LENGTH_OFFSET);
        if (lengthField < HEADER_LENGTH - LOG_OVERHEAD || lengthField > available - LOG_OVERHEAD) {
            return ErrorCode.CORRUPT_MESSAGE;
        }
        int size = lengthField + LOG_OVERHEAD;
        byte magic = buffer.get(position + MAGIC_OFFSET);
        if (magic != MAGIC_V2) {
            return magic >= 0 && magic < MAGIC_V2 ? ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT : ErrorCode.CORRUPT_MESSAGE;
        }
        if (size > maxMessageBytes) {
            return ErrorCode.MESSAGE_TOO_LARGE;
        }
        long storedCrc = Integer.toUnsignedLong(buffer.getInt(position + CRC_OFFSET));
        if (RecordBatchHeader.computeCrc(buffer, position, size) != storedCrc) {
            return ErrorCode.CORRUPT_MESSAGE;
        }
        int attributes = buffer.getShort(position + ATTRIBUTES_OFFSET);
        if ((attributes & COMPRESSION_CODEC_MASK) > COMPRESSION_CODEC_MAX) {
            return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
        }
        int lastOffsetDelta = buffer.getInt(position + LAST_OFFSET_DELTA_OFFSET);
        int recordCount = buffer.getInt(position + RECORD_COUNT_OFFSET);
        if (lastOffsetDelta < 0 || recordCount < 0) {
            return ErrorCode.INVALID_RECORD;
        }
        if (strictCount ? recordCount != lastOffsetDelta + 1 : recordCount > lastOffsetDelta + 1) {
            return ErrorCode.INVALID_RECORD;
        }
        return ErrorCode.NONE;
    }

    /**
     * Validates a produce payload: exactly one batch filling {@code records} from its position to
     * its limit (Kafka requires exactly one v2 batch per partition in a produce request).
     */
    public static short validateSingleBatch(ByteBuffer records, int maxMessageBytes) {
        int position = records.position();
        int available = records.remaining();
        short error = validateBatch(records, position, available, maxMessageBytes, true);
        if (error != ErrorCode.NONE) {
            return error;
        }
        int size = records.getInt(position + LENGTH_OFFSET) + LOG_OVERHEAD;
        return size == available ? ErrorCode.NONE : ErrorCode.INVALID_RECORD;
    }
}
