package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;

/**
 * Outcome of an append: an error code, or the offsets given to the stored batches.
 *
 * @param errorCode      {@link ErrorCode#NONE} or the Kafka error (nothing was stored then)
 * @param firstOffset    base offset of the first stored batch, -1 on error
 * @param lastOffset     last offset of the last stored batch, -1 on error
 * @param logAppendTimeMs the broker time written into the batch for LogAppendTime topics, -1 for CreateTime
 * @param logStartOffset the log start offset after the append
 * @param errorMessage   why a batch was refused, for the produce response's error message (Kafka sends
 *                       one for record errors); null when there is nothing to add to the code
 */
public record AppendResult(short errorCode, long firstOffset, long lastOffset, long logAppendTimeMs,
                           long logStartOffset, String errorMessage) {

    public static AppendResult error(short errorCode, long logStartOffset) {
        return error(errorCode, logStartOffset, null);
    }

    public static AppendResult error(short errorCode, long logStartOffset, String errorMessage) {
        return new AppendResult(errorCode, -1L, -1L, -1L, logStartOffset, errorMessage);
    }

    public boolean isSuccess() {
        return errorCode == ErrorCode.NONE;
    }
}
