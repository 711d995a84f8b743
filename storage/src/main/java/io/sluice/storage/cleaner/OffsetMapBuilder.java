package io.sluice.storage.cleaner;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.batch.RecordBatchFilter;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.MappedRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.sluice.storage.batch.RecordBatchDescriptor.HEADER_LENGTH;

/**
 * The reading half of a cleaning (Kafka's Cleaner.buildOffsetMap): maps every keyed record of the
 * dirty section [first dirty, first uncleanable) to its latest offset, stopping before the first batch
 * the map has no room for (the map's latest offset then says where the dirty range ended); and finds the last batch of each
 * producer id in the log, which a cleaning keeps even when emptied.
 *
 * <p>Not thread-safe: one per cleaner thread.
 */
final class OffsetMapBuilder {

    /** Checked between batches: a cleaning being aborted (its log deleted, the broker closing) stops. */
    interface Progress {
        void checkDone(long bytes) throws InterruptedException, LogCleaningAbortedException;
    }

    private final RecordBatchFilter filter;
    private final RecordBatchHeader header = new RecordBatchHeader();

    OffsetMapBuilder(RecordBatchFilter filter) {
        this.filter = filter;
    }

    /**
     * Fills {@code map} from the dirty segments (sealed, oldest first) of [start, end).
     *
     * @return bytes read
     */
    long build(List<LogSegment> segments, long start, long end, OffsetMap map, Progress progress)
            throws IOException, InterruptedException, LogCleaningAbortedException {
        map.clear();
        long bytesRead = 0;
        for (int i = 0; i < segments.size(); i++) {
            LogSegment s = segments.get(i);
            long next = i + 1 < segments.size() ? segments.get(i + 1).baseOffset() : end;
            if (s.baseOffset() >= end || next <= start) {
                continue;
            }
            long stop = Math.min(next, end);
            SegmentScan scan = mapSegment(s, start, stop, map, progress);
            bytesRead += scan.bytesRead;
            if (scan.full) {
                if (map.latestOffset() < start) {
                    throw new IllegalStateException("the offset map (" + map.entriesMax() + " keys) cannot hold the "
                            + "first batch of the dirty section at offset " + start + "; raise "
                            + CleanerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE + " or lower " + CleanerConfig.LOG_CLEANER_THREADS);
                }
                return bytesRead;
            }
            map.updateLatestOffset(stop - 1);
        }
        return bytesRead;
    }

    private record SegmentScan(long bytesRead, boolean full) {
    }

    private SegmentScan mapSegment(LogSegment s, long start, long stop, OffsetMap map, Progress progress)
            throws IOException, InterruptedException, LogCleaningAbortedException {
        int limit = s.size();
        MappedRegion region = s.acquire();
        try {
            ByteBuffer buf = region.buffer();
            int p = s.positionOf(start, buf, limit, header);
            if (p < 0) {
                return new SegmentScan(0, false);
            }
            int from = p;
            while (p + HEADER_LENGTH <= limit) {
                header.wrap(buf, p);
                if (!header.isPlausible(limit) || header.baseOffset() >= stop) {
                    break;
                }
                int size = header.sizeInBytes();
                progress.checkDone(size);
                if (!header.isControl() && header.lastOffset() >= start) {
                    load(s, buf, p);
                    if (map.size() + filter.recordCount() > map.entriesMax()) {
                        // Full: the dirty range ends before this batch. Kafka stops inside the batch, leaving
                        // keys of offsets past the range in the map; stopping at the batch boundary keeps
                        // every mapped offset inside the range.
                        return new SegmentScan(p - from, true);
                    }
                    for (int r = 0; r < filter.recordCount(); r++) {
                        long offset = filter.offset(r);
                        if (offset >= start && offset < stop && filter.keyLength(r) >= 0) {
                            map.put(filter.plain(), filter.keyPosition(r), filter.keyLength(r), offset);
                        }
                    }
                }
                if (header.lastOffset() >= start) {
                    map.updateLatestOffset(Math.min(header.lastOffset(), stop - 1));
                }
                p += size;
            }
            return new SegmentScan(p - from, false);
        } finally {
            region.release();
        }
    }

    /** Loads the batch at {@code p}; a batch the filter cannot read makes the log uncleanable. */
    void load(LogSegment s, ByteBuffer buf, int p) {
        if (filter.load(buf, p) != ErrorCode.NONE) {
            throw new IllegalStateException("batch at position " + p + " of " + s.logFile().getFileName()
                    + " cannot be read: " + filter.faultReason());
        }
    }

    /**
     * Producer id → last offset of its last batch in the log (headers only). A cleaning keeps that
     * batch, emptied if need be: its last sequence is what idempotent retries are checked against
     * after a restart or failover. Kafka keeps it for active producers only; storage does not know
     * {@code producer.id.expiration.ms}, so here every producer id in the log keeps its last batch
     * (at most one 61-byte header each).
     */
    Map<Long, Long> lastBatchOfEachProducer(List<LogSegment> segments) throws IOException {
        Map<Long, Long> last = new HashMap<>();
        for (LogSegment s : segments) {
            int limit = s.size();
            MappedRegion region = s.acquire();
            try {
                ByteBuffer buf = region.buffer();
                for (int p = 0; p + HEADER_LENGTH <= limit; p += header.sizeInBytes()) {
                    header.wrap(buf, p);
                    if (!header.isPlausible(limit)) {
                        break;
                    }
                    if (header.producerId() >= 0) {
                        last.put(header.producerId(), header.lastOffset());
                    }
                }
            } finally {
                region.release();
            }
        }
        return last;
    }
}
