package io.sluice.storage.log;

/**
 * DeleteRecords answer.
 *
 * @param errorCode    {@code NONE}, {@code OFFSET_OUT_OF_RANGE} (beyond the log end) or {@code KAFKA_STORAGE_ERROR}
 * @param lowWatermark the log start offset after the call
 */
public record DeleteRecordsResult(short errorCode, long lowWatermark) {
}
