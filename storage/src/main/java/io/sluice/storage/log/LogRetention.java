package io.sluice.storage.log;

import io.sluice.storage.segment.LogSegment;

import java.util.ArrayList;
import java.util.List;

/**
 * Which segments retention deletes from the front of a log, whole segments at a time (Kafka's
 * UnifiedLog.deleteOldSegments): segments entirely below the log start offset always; and, only
 * where {@code cleanup.policy} has {@code delete}, segments whose newest record is older than
 * {@code retention.ms} and the oldest segments while the log is bigger than {@code retention.bytes}.
 * A {@code compact}-only log is never deleted by time or size (Kafka Streams keeps its state in such
 * changelogs). The decision only: {@link MappedPartitionLog#deleteOldSegments} rolls first if every
 * segment is doomed (the log keeps an empty active segment at its end offset) and
 * {@link LogSegments#deleteUpTo} deletes them and moves the log start offset.
 *
 * <p>Stateless; called with the log's lock held.
 */
final class LogRetention {

    private LogRetention() {
    }

    /** The newest segment retention deletes (with all before it), or null if none. */
    static LogSegment lastDeletable(LogSegments segments, LogConfig cfg, long nowMs) {
        List<LogSegment> all = new ArrayList<>(segments.all());
        long logStartOffset = segments.logStartOffset();
        long totalBytes = 0;
        for (LogSegment s : all) {
            totalBytes += s.size();
        }
        boolean byTimeAndSize = cfg.cleanupDelete();
        long bytesOver = !byTimeAndSize || cfg.retentionBytes() < 0 ? Long.MIN_VALUE : totalBytes - cfg.retentionBytes();
        LogSegment lastDeletable = null;
        for (int i = 0; i < all.size(); i++) {
            LogSegment s = all.get(i);
            if (s.size() == 0) {
                break;
            }
            LogSegment next = i + 1 < all.size() ? all.get(i + 1) : null;
            boolean belowStart = next != null && next.baseOffset() <= logStartOffset;
            long largest = s.largestTimestamp();
            boolean expired = byTimeAndSize && cfg.retentionMs() >= 0 && largest >= 0 && nowMs - largest > cfg.retentionMs();
            boolean overSize = bytesOver != Long.MIN_VALUE && bytesOver - s.size() >= 0;
            if (!(belowStart || expired || overSize)) {
                break;
            }
            if (overSize) {
                bytesOver -= s.size();
            }
            lastDeletable = s;
        }
        return lastDeletable;
    }
}
