package io.sluice.storage.cleaner;

import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.MappedRegion;

import java.io.IOException;
import java.util.List;

import static io.sluice.storage.batch.RecordBatchDescriptor.HEADER_LENGTH;

/**
 * One log's cleanable section and how dirty it is (Kafka's LogCleanerManager.cleanableOffsets,
 * maxCompactionDelay and LogToClean). The dirty section runs from the cleaner's checkpoint (reset to
 * the log start offset if it lies outside the log) to the first uncleanable offset: the lowest of the
 * active segment's base offset, the stable offset bound (the high watermark: what replication may
 * still truncate is never cleaned) and the base offset of the first segment whose newest record is
 * younger than {@code min.compaction.lag.ms}.
 *
 * @param firstDirtyOffset       where cleaning starts mapping keys
 * @param firstUncleanableOffset where it stops
 * @param needCompactionNow      a dirty segment's first batch is older than {@code max.compaction.lag.ms}
 * @param cleanBytes             bytes of the segments below the first dirty offset
 * @param cleanableBytes         bytes of the segments of the dirty section
 * @param checkpointReset        the checkpoint lay outside the log and was reset to its start
 *
 * <p>Immutable; made by {@link LogCleanerManager} under its monitor.
 */
record LogToClean(CleanableLog log, long firstDirtyOffset, long firstUncleanableOffset, boolean needCompactionNow,
                  long cleanBytes, long cleanableBytes, boolean checkpointReset) {

    long totalBytes() {
        return cleanBytes + cleanableBytes;
    }

    double cleanableRatio() {
        return totalBytes() == 0 ? 0 : (double) cleanableBytes / totalBytes();
    }

    /** Whether the cleaner should take this log now (Kafka's grabFilthiestCompactedLog filter). */
    boolean isCleanable() {
        return cleanableBytes > 0 && (needCompactionNow
                || cleanableRatio() > log.compactionConfig().minCleanableDirtyRatio());
    }

    static LogToClean of(CleanableLog log, Long checkpoint, long stableOffsetBound, long nowMs) throws IOException {
        CompactionConfig cfg = log.compactionConfig();
        long logStart = log.logStartOffset();
        long logEnd = log.logEndOffset();
        long checkpointed = checkpoint == null ? logStart : checkpoint;
        boolean reset = checkpointed < logStart || checkpointed > logEnd;
        long firstDirty = reset ? logStart : checkpointed;
        List<LogSegment> segments = log.segmentsSnapshot();
        LogSegment active = segments.get(segments.size() - 1);
        long uncleanable = Math.min(active.baseOffset(), stableOffsetBound);
        boolean needNow = false;
        long cleanUntilMs = nowMs - cfg.maxCompactionLagMs();
        for (int i = 0; i < segments.size() - 1; i++) {
            LogSegment s = segments.get(i);
            if (segments.get(i + 1).baseOffset() <= firstDirty) {
                continue; // below the dirty section
            }
            if (cfg.minCompactionLagMs() > 0 && s.largestTimestamp() > nowMs - cfg.minCompactionLagMs()) {
                uncleanable = Math.min(uncleanable, s.baseOffset());
            }
            long firstBatchTimestamp = firstBatchTimestamp(s);
            if (firstBatchTimestamp > 0 && firstBatchTimestamp < cleanUntilMs) {
                needNow = true;
            }
        }
        long firstUncleanable = Math.max(firstDirty, uncleanable);
        long cleanBytes = 0;
        long cleanableBytes = 0;
        for (int i = 0; i < segments.size(); i++) {
            LogSegment s = segments.get(i);
            long next = i + 1 < segments.size() ? segments.get(i + 1).baseOffset() : Long.MAX_VALUE;
            if (s.baseOffset() < firstDirty) {
                cleanBytes += s.size();
            }
            if (s.baseOffset() < firstUncleanable && next > firstDirty) {
                cleanableBytes += s.size();
            }
        }
        return new LogToClean(log, firstDirty, firstUncleanable, needNow, cleanBytes, cleanableBytes, reset);
    }

    /** The first batch's max timestamp (Kafka's LogSegment.getFirstBatchTimestamp), -1 if none. */
    private static long firstBatchTimestamp(LogSegment s) throws IOException {
        int limit = s.size();
        if (limit < HEADER_LENGTH) {
            return -1L;
        }
        MappedRegion region = s.acquire();
        try {
            RecordBatchHeader h = new RecordBatchHeader().wrap(region.buffer(), 0);
            return h.isPlausible(limit) ? h.maxTimestamp() : -1L;
        } finally {
            region.release();
        }
    }
}
