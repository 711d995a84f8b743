package io.sluice.storage.segment;

import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.index.OffsetIndex;
import io.sluice.storage.index.TimeIndex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.sluice.storage.batch.RecordBatchDescriptor.HEADER_LENGTH;

/**
 * Builds a segment's sparse indexes batch by batch, the same way on append, recovery and rebuild:
 * an offset index entry (batch base offset, position) once more than {@code index.interval.bytes}
 * were appended since the last one, with a time index entry for the max timestamp so far.
 *
 * <p>One writer; the max timestamp fields are volatile for the retention thread.
 */
final class SegmentIndexer {

    final OffsetIndex offsetIndex;
    final TimeIndex timeIndex;
    volatile long maxTimestampSoFar = -1L;
    volatile long offsetOfMaxTimestampSoFar = -1L;
    int bytesSinceLastIndexEntry;
    int indexIntervalBytes;

    SegmentIndexer(OffsetIndex offsetIndex, TimeIndex timeIndex, int indexIntervalBytes) {
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        if (timeIndex.entries() > 0) {
            maxTimestampSoFar = timeIndex.lastTimestamp();
            offsetOfMaxTimestampSoFar = timeIndex.lastOffset();
        }
    }

    static SegmentIndexer empty(long baseOffset, int entriesMax, int indexIntervalBytes) {
        return new SegmentIndexer(new OffsetIndex(baseOffset, entriesMax), new TimeIndex(baseOffset), indexIntervalBytes);
    }

    /** Indexes rebuilt by walking the (trusted) headers in {@code buf} below {@code limit}. */
    static SegmentIndexer rebuild(ByteBuffer buf, int limit, RecordBatchHeader header, long baseOffset, int entriesMax,
                                  int indexIntervalBytes) {
        SegmentIndexer ix = empty(baseOffset, entriesMax, indexIntervalBytes);
        for (int p = 0; p + HEADER_LENGTH <= limit; ) {
            header.wrap(buf, p);
            if (!header.isPlausible(limit)) {
                break; // zero padding left by a truncation
            }
            ix.onBatch(header, p);
            p += header.sizeInBytes();
        }
        return ix;
    }

    /** Accounts for the batch at {@code position}, which the header points at. */
    void onBatch(RecordBatchHeader header, int position) {
        long maxTs = header.maxTimestamp();
        if (maxTs > maxTimestampSoFar) {
            maxTimestampSoFar = maxTs;
            offsetOfMaxTimestampSoFar = header.baseOffset();
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes && !offsetIndex.isFull()) {
            offsetIndex.append(header.baseOffset(), position);
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += header.sizeInBytes();
    }

    /** Adds a time index entry for the max timestamp so far (flush, roll), so it survives a restart. */
    private void sealTimeIndex() {
        if (maxTimestampSoFar >= 0) {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
    }

    /** Seals the time index and writes the entries not yet in the files (flush, roll, close, rebuild). */
    void persist(Path offsetIndexFile, Path timeIndexFile, boolean force) throws IOException {
        sealTimeIndex();
        offsetIndex.persist(offsetIndexFile, force);
        timeIndex.persist(timeIndexFile, force);
    }
}
