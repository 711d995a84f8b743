package io.sluice.storage.cleaner;

/**
 * What an operator can read about the cleaning of one log (Kafka reports the same through its
 * LogCleaner metrics and log lines): where its dirty section starts, how dirty it was, and what the
 * last cleaning did.
 *
 * <p>Immutable, thread-safe.
 *
 * @param cleanerCheckpoint   the first dirty offset (what {@code cleaner-offset-checkpoint} holds), -1 if never cleaned
 * @param dirtyRatio          the cleanable ratio when it was last considered
 * @param cleanings           cleanings completed since the broker started
 * @param bytesCleanedTotal   bytes read by those cleanings
 * @param lastBytesRead       bytes read by the last cleaning
 * @param lastBytesWritten    bytes the last cleaning wrote
 * @param lastDurationMs      how long the last cleaning took
 * @param lastCleanedAtMs     when it finished, -1 if never
 * @param uncleanableReason   why the cleaner gave up on this log (until the broker restarts), null if it did not
 */
public record LogCleaningState(long cleanerCheckpoint, double dirtyRatio, long cleanings, long bytesCleanedTotal,
                               long lastBytesRead, long lastBytesWritten, long lastDurationMs, long lastCleanedAtMs,
                               String uncleanableReason) {

    static final LogCleaningState NEVER = new LogCleaningState(-1L, 0, 0, 0, 0, 0, 0, -1L, null);

    LogCleaningState withCheckpoint(long checkpoint) {
        return new LogCleaningState(checkpoint, dirtyRatio, cleanings, bytesCleanedTotal, lastBytesRead,
                lastBytesWritten, lastDurationMs, lastCleanedAtMs, uncleanableReason);
    }

    LogCleaningState withDirtyRatio(double ratio) {
        return new LogCleaningState(cleanerCheckpoint, ratio, cleanings, bytesCleanedTotal, lastBytesRead,
                lastBytesWritten, lastDurationMs, lastCleanedAtMs, uncleanableReason);
    }

    LogCleaningState afterCleaning(CleaningResult r, long durationMs, long nowMs) {
        return new LogCleaningState(r.endOffset(), dirtyRatio, cleanings + 1, bytesCleanedTotal + r.bytesRead(),
                r.bytesRead(), r.bytesWritten(), durationMs, nowMs, uncleanableReason);
    }

    LogCleaningState uncleanable(String reason) {
        return new LogCleaningState(cleanerCheckpoint, dirtyRatio, cleanings, bytesCleanedTotal, lastBytesRead,
                lastBytesWritten, lastDurationMs, lastCleanedAtMs, reason);
    }
}
