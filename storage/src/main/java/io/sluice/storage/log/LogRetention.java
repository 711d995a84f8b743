package io.sluice.storage.log;

import io.sluice.storage.segment.LogSegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Deleting from the front of a log, whole segments at a time (Kafka's UnifiedLog.deleteOldSegments):
 * segments entirely below the log start offset always; and, only where {@code cleanup.policy} has
 * {@code delete}, segments whose newest record is older than {@code retention.ms} and the oldest
 * segments while the log is bigger than {@code retention.bytes}. A {@code compact}-only log is never
 * deleted by time or size (Kafka Streams keeps its state in such changelogs). The log
 * start offset moves up to the first remaining segment. If every segment is expired the active one
 * is rolled first, so the log keeps an (empty) active segment at its end offset.
 *
 * <p>Called with the log's lock held. Deleting unlinks the files; readers holding a lease keep
 * their mapping.
 */
final class LogRetention {

    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

    private LogRetention() {
    }

    static int deleteOldSegments(MappedPartitionLog log, long nowMs) throws IOException {
        LogConfig cfg = log.config;
        List<LogSegment> all = new ArrayList<>(log.segments.values());
        long totalBytes = 0;
        for (LogSegment s : all) {
            totalBytes += s.size();
        }
        boolean byTimeAndSize = cfg.cleanupDelete();
        long bytesOver = !byTimeAndSize || cfg.retentionBytes() < 0 ? Long.MIN_VALUE : totalBytes - cfg.retentionBytes();
        int deletable = 0;
        for (int i = 0; i < all.size(); i++) {
            LogSegment s = all.get(i);
            if (s.size() == 0) {
                break;
            }
            LogSegment next = i + 1 < all.size() ? all.get(i + 1) : null;
            boolean belowStart = next != null && next.baseOffset() <= log.logStartOffset;
            long largest = s.largestTimestamp();
            boolean expired = byTimeAndSize && cfg.retentionMs() >= 0 && largest >= 0 && nowMs - largest > cfg.retentionMs();
            boolean overSize = bytesOver != Long.MIN_VALUE && bytesOver - s.size() >= 0;
            if (!(belowStart || expired || overSize)) {
                break;
            }
            if (overSize) {
                bytesOver -= s.size();
            }
            deletable++;
        }
        if (deletable == 0) {
            return 0;
        }
        if (deletable == all.size()) {
            log.rollForRetention();
        }
        // Move the start offset before unlinking (as Kafka does): a reader then gets
        // OFFSET_OUT_OF_RANGE for what is going away instead of racing the deletion.
        Long newFirst = log.segments.higherKey(all.get(deletable - 1).baseOffset());
        if (newFirst != null && log.logStartOffset < newFirst) {
            log.logStartOffset = newFirst;
        }
        for (int i = 0; i < deletable; i++) {
            LogSegment s = all.get(i);
            log.segments.remove(s.baseOffset());
            s.delete();
        }
        long firstBase = log.segments.firstKey();
        if (log.logStartOffset < firstBase) {
            log.logStartOffset = firstBase;
        }
        log.epochs.truncateFromStart(log.logStartOffset);
        LOG.info("{}: retention deleted {} segment(s); log start offset now {}", log.tp, deletable, log.logStartOffset);
        return deletable;
    }

    /** DeleteRecords: removes segments that lie entirely below the log start offset. */
    static void deleteSegmentsBelowStartOffset(MappedPartitionLog log) throws IOException {
        while (log.segments.size() > 1) {
            LogSegment first = log.segments.firstEntry().getValue();
            Long nextBase = log.segments.higherKey(first.baseOffset());
            if (nextBase == null || nextBase > log.logStartOffset || first == log.active) {
                return;
            }
            log.segments.remove(first.baseOffset());
            first.delete();
        }
    }
}
