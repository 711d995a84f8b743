package io.sluice.storage.batch;

import io.sluice.storage.ErrorCode;

import java.nio.ByteBuffer;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;

/**
 * The per-record half of a leader append's validation, as Kafka's LogValidator does it for magic
 * v2, in one streaming pass over the records ({@link RecordCursor}: in place, or decompressed in a
 * stream; keys and values are skipped, never copied). It runs after {@link RecordBatchValidator}
 * (size, magic, CRC, codec, record count = last offset delta + 1) and checks:
 * <ul>
 *   <li>the records themselves: exactly the header's record count of well-formed records, offset
 *       deltas 0, 1, 2, ... (Kafka re-compresses a batch whose deltas differ; Sluice never re-encodes,
 *       so it refuses one; Kafka stores an uncompressed one as sent), no null header key: else
 *       {@link ErrorCode#INVALID_RECORD}; compressed records that do not decompress:
 *       {@link ErrorCode#UNKNOWN_SERVER_ERROR}, Kafka's answer;</li>
 *   <li>a key on every record of a compacted topic: else {@link ErrorCode#INVALID_RECORD};</li>
 *   <li>for CreateTime topics, each record's timestamp within {@code message.timestamp.before.max.ms}
 *       and {@code message.timestamp.after.max.ms} of now (-1, no timestamp, is allowed); a batch
 *       claiming LogAppendTime itself where Kafka refuses one: else
 *       {@link ErrorCode#INVALID_TIMESTAMP}, which wins over a key fault, as in Kafka;</li>
 *   <li>batch level, as Kafka's validateBatch for clients: no control batch, and a producer id only
 *       with a sequence: else {@link ErrorCode#INVALID_RECORD}.</li>
 * </ul>
 * It computes the batch's true max timestamp; the leader writes that max timestamp into the header (with the CRC) as Kafka does, because
 * some clients (librdkafka) send a wrong one and retention and the time index rely on it.
 *
 * <p>Not thread-safe: one per appending thread (it reuses its cursor's buffer); no allocation per
 * record, none per uncompressed batch.
 */
public final class RecordValidator {

    private final RecordCursor cursor = new RecordCursor();
    private final RecordBatchHeader header = new RecordBatchHeader();
    private long maxTimestamp;
    private String faultReason;

    /**
     * Validates the records of the one batch at {@code position} for a leader append.
     *
     * @param topicLogAppendTime   {@code message.timestamp.type=LogAppendTime}: record timestamps are not checked
     * @param timestampBeforeMaxMs {@code message.timestamp.before.max.ms}
     * @param timestampAfterMaxMs  {@code message.timestamp.after.max.ms}
     * @param compacted            {@code cleanup.policy} has {@code compact}: every record needs a key
     * @return {@link ErrorCode#NONE} (then {@link #maxTimestamp()} holds the records' max timestamp) or the error
     */
    public short validate(ByteBuffer buffer, int position, long nowMs, boolean topicLogAppendTime,
                          long timestampBeforeMaxMs, long timestampAfterMaxMs, boolean compacted) {
        faultReason = null;
        RecordBatchHeader h = header.wrap(buffer, position);
        if (h.isControl()) {
            return refuse(ErrorCode.INVALID_RECORD, "clients may not write control batches");
        }
        if (h.producerId() >= 0 && h.baseSequence() < 0) {
            return refuse(ErrorCode.INVALID_RECORD, "a producer id without a sequence number");
        }
        boolean batchLogAppendTime = h.isLogAppendTime();
        long headerMaxTimestamp = h.maxTimestamp();
        long baseTimestamp = h.baseTimestamp();
        long max = NO_TIMESTAMP;
        boolean timestampFault = false;
        boolean keyFault = false;
        int expectedDelta = 0;
        short error = cursor.open(buffer, position);
        try {
            while (error == ErrorCode.NONE && cursor.next()) {
                if (cursor.offsetDelta() != expectedDelta) {
                    return refuse(ErrorCode.INVALID_RECORD, "offset deltas are not 0, 1, 2, ...");
                }
                long ts = batchLogAppendTime ? headerMaxTimestamp : baseTimestamp + cursor.timestampDelta();
                if (compacted && cursor.keyLength() < 0) {
                    keyFault = true;
                } else if (!topicLogAppendTime && ts != NO_TIMESTAMP) {
                    // Kafka's recordHasInvalidTimestamp, same arithmetic
                    long diff = nowMs - ts;
                    timestampFault |= diff > timestampBeforeMaxMs || -diff > timestampAfterMaxMs;
                } else if (batchLogAppendTime) {
                    timestampFault = true; // the producer may not claim LogAppendTime
                }
                max = Math.max(max, ts);
                expectedDelta++;
            }
            error = cursor.finish();
        } finally {
            cursor.close();
        }
        if (error != ErrorCode.NONE) {
            return refuse(error, cursor.faultReason());
        }
        if (timestampFault) {
            return refuse(ErrorCode.INVALID_TIMESTAMP, "a record timestamp is outside message.timestamp.before.max.ms"
                    + " / message.timestamp.after.max.ms of the broker's clock");
        }
        if (keyFault) {
            return refuse(ErrorCode.INVALID_RECORD, "a compacted topic cannot accept a record without a key");
        }
        maxTimestamp = max;
        return ErrorCode.NONE;
    }

    /** The largest record timestamp of the batch last validated ({@link RecordBatchDescriptor#NO_TIMESTAMP} if none has one). */
    public long maxTimestamp() {
        return maxTimestamp;
    }

    /** Why the last batch was refused (constant text for a log line), null if it was not. */
    public String faultReason() {
        return faultReason;
    }

    private short refuse(short error, String reason) {
        faultReason = reason;
        return error;
    }
}
