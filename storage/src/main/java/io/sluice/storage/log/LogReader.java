package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.batch.RecordTimestampSearch;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.MappedRegion;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.sluice.storage.batch.RecordBatchDescriptor.HEADER_LENGTH;

/**
 * The lock-free read paths of {@link MappedPartitionLog}: fetch reads, offset-by-timestamp, header
 * scans. Each reads the volatile offsets first, then walks segments through leased mappings, never
 * past the sizes published by the writer.
 *
 * <p>Stateless; safe from any thread.
 */
final class LogReader {

    /**
     * A reader that hit a segment deleted under it (retention, truncation) looks again with fresh
     * offsets; each retry follows a completed unlink, so a few suffice.
     */
    private static final int RETRIES_MAX = 16;

    private LogReader() {
    }

    static LogReadResult read(MappedPartitionLog log, long offset, int maxBytes, boolean minOneMessage,
                              long maxOffsetExclusive) {
        for (int attempt = 0; ; attempt++) {
            if (log.isOffline() || log.isClosed()) {
                return LogReadResult.error(ErrorCode.KAFKA_STORAGE_ERROR, log.logStartOffset(), log.logEndOffset());
            }
            long leo = log.logEndOffset();
            long lso = log.logStartOffset();
            if (offset == leo) {
                return LogReadResult.empty(offset, lso, leo);
            }
            if (offset < lso || offset > leo) {
                return LogReadResult.error(ErrorCode.OFFSET_OUT_OF_RANGE, lso, leo);
            }
            long bound = Math.min(leo, maxOffsetExclusive);
            if (offset >= bound) {
                return LogReadResult.empty(offset, lso, leo);
            }
            LogSegment segment = null;
            try {
                RecordBatchHeader header = new RecordBatchHeader();
                for (LogSegment s : log.segments().from(offset)) {
                    segment = s;
                    LogReadResult r = readSegment(segment, offset, maxBytes, minOneMessage, lso, leo, bound, header);
                    if (r != null) {
                        return r;
                    }
                }
                return LogReadResult.empty(offset, lso, leo);
            } catch (IOException e) {
                if (segment != null && segment.isDeleted() && attempt < RETRIES_MAX) {
                    continue; // deleted under us by retention or truncation: look again
                }
                if (log.isClosed() || (segment != null && segment.isDeleted())) {
                    return LogReadResult.error(ErrorCode.KAFKA_STORAGE_ERROR, lso, leo); // not a disk fault
                }
                log.fail(e);
                return LogReadResult.error(ErrorCode.KAFKA_STORAGE_ERROR, lso, leo);
            }
        }
    }

    /** Whole batches from the one holding {@code offset}, or null if this segment ends before it. */
    private static LogReadResult readSegment(LogSegment segment, long offset, int maxBytes, boolean minOneMessage,
                                             long lso, long leo, long bound, RecordBatchHeader header)
            throws IOException {
        int limit = segment.size();
        MappedRegion region = segment.acquire();
        boolean handedOut = false;
        try {
            ByteBuffer buf = region.buffer();
            limit = Math.min(limit, region.capacity());
            int start = segment.positionOf(offset, buf, limit, header);
            if (start < 0) {
                return null;
            }
            long first = header.baseOffset();
            long next = offset;
            int end = start;
            while (end + HEADER_LENGTH <= limit) {
                header.wrap(buf, end);
                int size = header.sizeInBytes();
                if (!header.isPlausible(limit) || header.baseOffset() >= bound) {
                    break; // past the caller's bound, or published after our snapshot of the end offset
                }
                if (end - start + (long) size > maxBytes && !(end == start && minOneMessage)) {
                    break;
                }
                end += size;
                next = header.nextOffset();
            }
            if (end == start) {
                return LogReadResult.empty(offset, lso, leo);
            }
            handedOut = true;
            return new LogReadResult(ErrorCode.NONE, region.readOnlySlice(start, end - start), first, next, lso, leo,
                    segment.logFile(), start, region::release);
        } finally {
            if (!handedOut) {
                region.release();
            }
        }
    }

    static TimestampOffset offsetForTimestamp(MappedPartitionLog log, long timestamp) {
        if (log.isOffline() || log.isClosed()) {
            return new TimestampOffset(ErrorCode.KAFKA_STORAGE_ERROR, -1L, -1L, -1);
        }
        long lso = log.logStartOffset();
        long leo = log.logEndOffset();
        if (timestamp == TimestampOffset.EARLIEST_TIMESTAMP || timestamp == TimestampOffset.EARLIEST_LOCAL_TIMESTAMP) {
            return new TimestampOffset(ErrorCode.NONE, lso, -1L, log.epochForOffset(lso));
        }
        if (timestamp == TimestampOffset.LATEST_TIMESTAMP) {
            return new TimestampOffset(ErrorCode.NONE, leo, -1L, log.latestEpoch());
        }
        return log.orOffline(() -> {
            RecordBatchHeader header = new RecordBatchHeader();
            if (timestamp == TimestampOffset.MAX_TIMESTAMP) {
                return maxTimestamp(log, lso, leo, header);
            }
            if (timestamp < 0) {
                return new TimestampOffset(ErrorCode.NONE, TimestampOffset.UNKNOWN_OFFSET, -1L, -1);
            }
            RecordTimestampSearch search = new RecordTimestampSearch();
            for (LogSegment segment : log.segments().from(lso)) {
                if (segment.largestTimestamp() < timestamp) {
                    continue;
                }
                MappedRegion region = segment.acquire();
                try {
                    TimestampOffset found = firstRecordAtOrAfter(segment, region, timestamp, lso, leo, header, search);
                    if (found != null) {
                        return found;
                    }
                } finally {
                    region.release();
                }
            }
            return new TimestampOffset(ErrorCode.NONE, TimestampOffset.UNKNOWN_OFFSET, -1L, -1);
        }, () -> new TimestampOffset(ErrorCode.KAFKA_STORAGE_ERROR, -1L, -1L, -1));
    }

    /**
     * Kafka's LogSegment.findOffsetByTimestamp: in the first batch whose max timestamp reaches
     * {@code timestamp}, the first record at or after it (and at or after the log start offset);
     * if that batch has none above the start offset, the next such batch. Null if this segment has none.
     */
    private static TimestampOffset firstRecordAtOrAfter(LogSegment segment, MappedRegion region, long timestamp,
                                                        long lso, long leo, RecordBatchHeader header,
                                                        RecordTimestampSearch search) throws IOException {
        long minOffset = lso;
        while (true) {
            int p = segment.firstBatchAtOrAfter(timestamp, minOffset, region, header);
            if (p < 0 || header.baseOffset() >= leo) {
                return null;
            }
            long offset = search.firstAtOrAfter(region.buffer(), p, timestamp, lso);
            if (offset >= 0) {
                return new TimestampOffset(ErrorCode.NONE, offset, search.timestamp(), header.partitionLeaderEpoch());
            }
            if (offset == RecordTimestampSearch.UNREADABLE) {
                // A batch stored before records were validated: answer at batch granularity, as Sluice did then.
                return new TimestampOffset(ErrorCode.NONE, Math.max(lso, header.baseOffset()), header.maxTimestamp(),
                        header.partitionLeaderEpoch());
            }
            minOffset = header.nextOffset();
        }
    }

    /** KIP-734: the first record holding the largest timestamp, in the first batch that holds it. */
    private static TimestampOffset maxTimestamp(MappedPartitionLog log, long lso, long leo, RecordBatchHeader header)
            throws IOException {
        LogSegment best = null;
        long bestTs = -1L;
        for (LogSegment segment : log.segments().all()) {
            long ts = segment.largestTimestamp();
            if (ts > bestTs && segment.size() > 0) {
                best = segment;
                bestTs = ts;
            }
        }
        if (best == null) {
            return new TimestampOffset(ErrorCode.NONE, TimestampOffset.UNKNOWN_OFFSET, -1L, -1);
        }
        long batchBase = best.offsetOfLargestTimestamp();
        MappedRegion region = best.acquire();
        try {
            int p = best.positionOf(batchBase, region.buffer(), best.size(), header);
            if (p < 0) {
                return new TimestampOffset(ErrorCode.NONE, TimestampOffset.UNKNOWN_OFFSET, -1L, -1);
            }
            long offset = new RecordTimestampSearch().offsetOfMaxTimestamp(region.buffer(), p);
            // No record holds the header's max timestamp only in a batch stored before records were
            // validated (a client's wrong header): then the batch's last offset, as Sluice answered then.
            return new TimestampOffset(ErrorCode.NONE, offset >= 0 ? offset : header.lastOffset(), header.maxTimestamp(),
                    header.partitionLeaderEpoch());
        } finally {
            region.release();
        }
    }

    static long bytesFrom(MappedPartitionLog log, long fromOffset) {
        if (fromOffset >= log.logEndOffset()) {
            return 0;
        }
        long from = Math.max(fromOffset, log.logStartOffset());
        RecordBatchHeader header = new RecordBatchHeader();
        return log.orOffline(() -> {
            long bytes = 0;
            boolean first = true;
            for (LogSegment segment : log.segments().from(from)) {
                int limit = segment.size();
                if (!first) {
                    bytes += limit;
                    continue;
                }
                first = false;
                MappedRegion region = segment.acquire();
                try {
                    int p = segment.positionOf(from, region.buffer(), limit, header);
                    bytes += p < 0 ? 0 : limit - p;
                } finally {
                    region.release();
                }
            }
            return bytes;
        }, () -> 0L);
    }

    /** See {@link PartitionLog#firstBatchOffsetAtOrAfter}; the log start offset if the log is offline. */
    static long firstBatchOffsetAtOrAfter(MappedPartitionLog log, long timestamp) {
        long lso = log.logStartOffset();
        long leo = log.logEndOffset();
        return log.orOffline(() -> {
            RecordBatchHeader header = new RecordBatchHeader();
            for (LogSegment segment : log.segments().from(lso)) {
                MappedRegion region = segment.acquire();
                try {
                    if (segment.firstBatchAtOrAfter(timestamp, lso, region, header) >= 0) {
                        return Math.min(leo, Math.max(lso, header.baseOffset()));
                    }
                } finally {
                    region.release();
                }
            }
            return leo;
        }, () -> lso);
    }

    static void scanBatchHeaders(MappedPartitionLog log, long fromOffset, BatchHeaderVisitor visitor) {
        long leo = log.logEndOffset();
        long from = Math.max(fromOffset, log.logStartOffset());
        RecordBatchHeader header = new RecordBatchHeader();
        log.orOffline(() -> {
            for (LogSegment segment : log.segments().from(from)) {
                int limit = segment.size();
                MappedRegion region = segment.acquire();
                try {
                    ByteBuffer buf = region.buffer();
                    int p = segment.positionOf(from, buf, limit, header);
                    while (p >= 0 && p + HEADER_LENGTH <= limit) {
                        header.wrap(buf, p);
                        int size = header.sizeInBytes();
                        if (!header.isPlausible(limit) || header.baseOffset() >= leo) {
                            break;
                        }
                        if (!visitor.visit(header)) {
                            return null;
                        }
                        p += size;
                    }
                } finally {
                    region.release();
                }
            }
            return null;
        }, () -> null);
    }
}
