package io.sluice.storage.segment;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.batch.RecordBatchValidator;
import io.sluice.storage.index.OffsetIndex;
import io.sluice.storage.index.TimeIndex;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import static io.sluice.storage.batch.RecordBatchDescriptor.HEADER_LENGTH;
import static io.sluice.storage.batch.RecordBatchDescriptor.MAGIC_V2;

/**
 * Crash recovery of one segment and lazy index loading.
 *
 * <p>Below the recovery point the bytes were forced to disk before the checkpoint was written, so
 * they are trusted: their index entries are kept and only batch headers between the last index
 * entry and the recovery point are walked. From the recovery point on, every batch is validated
 * (length, magic, CRC32C, record count, contiguous offsets) and the segment is cut at the first bad
 * byte; the indexes are rebuilt for what remains. The work is proportional to what lies past the
 * recovery point, not to the size of the log. An index that fails its sanity checks is rebuilt from
 * the log rather than trusted.
 *
 * <p>Offsets must be contiguous, batch after batch, which also catches a damaged base offset (the CRC
 * does not cover it), except in a compacted log: there the log cleaner leaves gaps, so offsets need
 * only grow (Kafka checks neither).
 *
 * <p>Stateless; called by the log's loader (one thread per log) and by a segment under its monitor.
 * Maps the file privately (not through the mapping cache) to keep lock order simple.
 */
public final class SegmentRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentRecovery.class);

    /**
     * Outcome of recovering a segment.
     *
     * @param nextOffset     offset after the last valid batch (the segment's base offset if none)
     * @param truncatedBytes bytes cut from the tail
     * @param validatedBytes bytes checked with CRC (what lay past the recovery point)
     * @param zeroTail       the cut bytes start with zeros: reserved space never written, not corruption
     */
    public record Result(long nextOffset, int truncatedBytes, int validatedBytes, boolean zeroTail) {
    }

    private SegmentRecovery() {
    }

    /**
     * Recovers {@code segment} (opened, not active): validates from {@code recoveryPoint} (or from its
     * start when the recovery point is at or below its base offset), cuts the tail at the first bad
     * batch and installs rebuilt indexes.
     */
    public static Result recover(LogSegment segment, long recoveryPoint, boolean offsetGapsAllowed) throws IOException {
        int fileSize = segment.size();
        long base = segment.baseOffset();
        RecordBatchHeader header = new RecordBatchHeader();
        if (fileSize == 0) {
            segment.recovered(0, SegmentIndexer.empty(base, segment.offsetIndexEntriesMax(),
                    segment.indexIntervalBytesInitial()));
            return new Result(base, 0, 0, true);
        }
        MappedByteBuffer buf;
        try (FileChannel ch = FileChannel.open(segment.logFile(), StandardOpenOption.READ)) {
            buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
        }
        try {
            SegmentIndexer ix;
            int position = 0;
            long expected = base;
            TrustedPrefix trusted = recoveryPoint > base
                    ? trustedPrefix(segment, buf, fileSize, recoveryPoint, header, offsetGapsAllowed) : null;
            if (trusted != null) {
                ix = trusted.indexer;
                position = trusted.endPosition;
                expected = trusted.nextOffset;
            } else {
                ix = SegmentIndexer.empty(base, segment.offsetIndexEntriesMax(), segment.indexIntervalBytesInitial());
            }
            int validatedFrom = position;
            while (position < fileSize) {
                short error = RecordBatchValidator.validateBatch(buf, position, fileSize - position,
                        Integer.MAX_VALUE, false);
                if (error != ErrorCode.NONE) {
                    break;
                }
                header.wrap(buf, position);
                if (offsetGapsAllowed ? header.baseOffset() < expected : header.baseOffset() != expected) {
                    break;
                }
                ix.onBatch(header, position);
                expected = header.nextOffset();
                position += header.sizeInBytes();
            }
            int truncated = fileSize - position;
            boolean zeroTail = truncated == 0 || isAllZero(buf, position, fileSize);
            if (!zeroTail) {
                LOG.warn("{}: recovery truncated {} bytes at position {} (offset {}): torn or corrupt tail",
                        segment.logFile(), truncated, position, expected);
            }
            segment.recovered(position, ix);
            return new Result(expected, truncated, position - validatedFrom, zeroTail);
        } finally {
            IoUtil.unmap(buf);
        }
    }

    private record TrustedPrefix(SegmentIndexer indexer, int endPosition, long nextOffset) {
    }

    /**
     * Loads the indexes and walks the trusted headers up to the recovery point. Returns null when the
     * index files or the trusted bytes fail their sanity checks (then everything is validated).
     */
    private static TrustedPrefix trustedPrefix(LogSegment segment, MappedByteBuffer buf, int fileSize,
                                                long recoveryPoint, RecordBatchHeader header,
                                                boolean offsetGapsAllowed) throws IOException {
        long base = segment.baseOffset();
        OffsetIndex idx = OffsetIndex.loadIfSane(segment.indexFile(), base, segment.offsetIndexEntriesMax(), fileSize);
        TimeIndex tidx = TimeIndex.loadIfSane(segment.timeIndexFile(), base, Long.MAX_VALUE);
        if (idx == null || tidx == null) {
            LOG.info("{}: index missing or failed its checks; rebuilding from the log", segment.logFile());
            return null;
        }
        idx.truncateToOffset(recoveryPoint);
        tidx.truncateToOffset(recoveryPoint);
        SegmentIndexer ix = new SegmentIndexer(idx, tidx, segment.indexIntervalBytesInitial());
        int position = idx.lookup(recoveryPoint);
        long expected = -1L;
        int sinceIndex = 0;
        while (position + HEADER_LENGTH <= fileSize) {
            header.wrap(buf, position);
            int size = header.sizeInBytes();
            if (header.lengthField() == 0 && header.baseOffset() == 0) {
                break; // zeros: the end of what was written (reserved tail or truncated bytes)
            }
            if (size < HEADER_LENGTH || position + size > fileSize || header.magic() != MAGIC_V2
                    || (expected >= 0 && !follows(header.baseOffset(), expected, offsetGapsAllowed))
                    || (position == 0 && !follows(header.baseOffset(), base, offsetGapsAllowed))) {
                if (expected >= 0 && header.baseOffset() >= recoveryPoint) {
                    break; // past the trusted part: the validation loop judges it
                }
                LOG.warn("{}: bytes below the recovery point {} fail header checks at position {}; validating all",
                        segment.logFile(), recoveryPoint, position);
                return null;
            }
            if (header.baseOffset() >= recoveryPoint) {
                break;
            }
            long maxTs = header.maxTimestamp();
            if (maxTs > ix.maxTimestampSoFar) {
                ix.maxTimestampSoFar = maxTs;
                ix.offsetOfMaxTimestampSoFar = header.baseOffset();
            }
            expected = header.nextOffset();
            sinceIndex += size;
            position += size;
        }
        if (expected < 0 && position != 0) {
            return null; // the index pointed at nothing usable
        }
        ix.bytesSinceLastIndexEntry = sinceIndex;
        return new TrustedPrefix(ix, position, expected < 0 ? base : expected);
    }

    /** Loads a cold segment's indexes, rebuilding (and rewriting) them if they fail the checks. */
    static SegmentIndexer loadOrRebuildIndexes(LogSegment segment) throws IOException {
        int size = segment.size();
        long base = segment.baseOffset();
        OffsetIndex idx = OffsetIndex.loadIfSane(segment.indexFile(), base, segment.offsetIndexEntriesMax(), Math.max(size, 1));
        TimeIndex tidx = TimeIndex.loadIfSane(segment.timeIndexFile(), base, Long.MAX_VALUE);
        if (idx != null && tidx != null && lastEntryPointsAtItsBatch(segment, idx)) {
            return new SegmentIndexer(idx, tidx, segment.indexIntervalBytesInitial());
        }
        LOG.warn("{}: index missing or corrupt; rebuilding it from the log", segment.logFile());
        SegmentIndexer ix;
        if (size == 0) {
            ix = SegmentIndexer.empty(base, segment.offsetIndexEntriesMax(), segment.indexIntervalBytesInitial());
        } else {
            MappedByteBuffer buf;
            try (FileChannel ch = FileChannel.open(segment.logFile(), StandardOpenOption.READ)) {
                buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            }
            try {
                ix = segment.rebuildIndexer(buf, size, new RecordBatchHeader());
            } finally {
                IoUtil.unmap(buf);
            }
        }
        ix.persist(segment.indexFile(), segment.timeIndexFile(), false);
        return ix;
    }

    /** Kafka-style sanity check that costs one read: the last entry must point at a batch with its offset. */
    private static boolean lastEntryPointsAtItsBatch(LogSegment segment, OffsetIndex idx) throws IOException {
        if (idx.entries() == 0) {
            return true;
        }
        long offset = idx.lastOffset();
        int position = idx.lookup(offset);
        ByteBuffer head = ByteBuffer.allocate(8);
        try (FileChannel ch = FileChannel.open(segment.logFile(), StandardOpenOption.READ)) {
            while (head.hasRemaining()) {
                if (ch.read(head, position + head.position()) < 0) {
                    return false;
                }
            }
        }
        return head.getLong(0) == offset;
    }

    /** Whether a batch may start at {@code baseOffset} where {@code expected} was next. */
    private static boolean follows(long baseOffset, long expected, boolean offsetGapsAllowed) {
        return offsetGapsAllowed ? baseOffset >= expected : baseOffset == expected;
    }

    private static boolean isAllZero(MappedByteBuffer buf, int from, int to) {
        // The reserved tail is zeros; looking at its start is enough to tell "torn" from "never written".
        for (int i = from, end = Math.min(to, from + 4096); i < end; i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
