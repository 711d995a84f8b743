package io.sluice.storage.segment;

import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.index.OffsetIndex;
import io.sluice.storage.index.TimeIndex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.sluice.storage.batch.RecordBatchDescriptor.HEADER_LENGTH;
import static io.sluice.storage.batch.RecordBatchDescriptor.LENGTH_OFFSET;
import static io.sluice.storage.batch.RecordBatchDescriptor.LOG_OVERHEAD;

/**
 * One segment of a partition log: {@code <base offset, 20 digits>.log} holding v2 batches back to
 * back, with its sparse {@code .index} and {@code .timeindex}.
 *
 * <p>The active segment (the last one) owns a read-write mapping of the part of the file reserved
 * ahead of the writer; the reservation grows in steps (doubling from
 * {@code log.segment.reserve.step.min.bytes} to {@code .max.bytes}), each step allocated for real
 * before it is mapped. A rolled ("sealed") segment is trimmed to its length and mapped read-only
 * on demand. Every mapping is in the shared {@link MappingCache} and may be released when cold.
 *
 * <p>Owned by its log. Writes (append, truncate, seal, recover) come from the log's writer under
 * the log's lock; reads from any thread. {@link #size()} is published after the bytes are in the
 * mapping. Mapping state is guarded by this object's monitor; no I/O other than mmap happens under
 * it. The file is never shrunk below a size a reader may have seen (see {@link #sizeHighWater}),
 * so a stale reader can read stale bytes but never fault beyond the end of the file.
 */
public final class LogSegment {

    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";

    private final long baseOffset;
    private final Path logFile;
    private final Path indexFile;
    private final Path timeIndexFile;
    private final SegmentEnvironment env;
    private final int offsetIndexEntriesMax;

    /** Committed bytes: readers read below it. */
    private volatile int size;
    /** Largest size ever published; the file is not trimmed below it while readers may hold leases. */
    private int sizeHighWater;

    // Mapping state, guarded by this.
    private MappedRegion region;
    private FileChannel channel;
    private int reservedBytes;
    private int nextReserveStepBytes;
    /**
     * Size of the active segment's read-write mapping: its whole segment.bytes, mapped once. Growing
     * the mapping step by step instead would tear down and re-fault every page already written at
     * each step (measured: it doubled the CPU cost of an append). Mapping past the end of the file
     * extends its length without allocating blocks; blocks are allocated for real (fallocate) ahead
     * of the writer, which never writes past {@link #reservedBytes}.
     */
    private int mappingBytes;

    private volatile boolean active;
    private volatile boolean deleted;
    /** Set (under this monitor) when the segment gives up its mapping for good; no new mapping after it. */
    private boolean closed;
    /** Indexes and writer state; null while a cold sealed segment has not needed them. */
    private volatile SegmentIndexer indexer;
    private volatile long cachedLargestTimestamp = Long.MIN_VALUE;
    private final int indexIntervalBytesInitial;

    private long rollStartMs = -1L;
    private volatile int flushedSize;
    private final WrittenPages writtenPages = new WrittenPages();

    private LogSegment(Path dir, long baseOffset, SegmentEnvironment env, int offsetIndexEntriesMax,
                       int indexIntervalBytes) {
        this.baseOffset = baseOffset;
        this.indexIntervalBytesInitial = indexIntervalBytes;
        this.logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        this.indexFile = dir.resolve(fileName(baseOffset, INDEX_SUFFIX));
        this.timeIndexFile = dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX));
        this.env = env;
        this.offsetIndexEntriesMax = offsetIndexEntriesMax;
    }

    /** {@code 00000000000000001234.log} for base offset 1234. */
    public static String fileName(long baseOffset, String suffix) {
        return String.format("%020d%s", baseOffset, suffix);
    }

    /** Creates a new, empty, active segment and reserves its first step. */
    public static LogSegment create(Path dir, long baseOffset, SegmentEnvironment env, int offsetIndexEntriesMax,
                                    int indexIntervalBytes, int segmentBytes) throws IOException {
        LogSegment s = new LogSegment(dir, baseOffset, env, offsetIndexEntriesMax, indexIntervalBytes);
        Files.deleteIfExists(s.indexFile);
        Files.deleteIfExists(s.timeIndexFile);
        s.channel = FileChannel.open(s.logFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        s.indexer = SegmentIndexer.empty(baseOffset, offsetIndexEntriesMax, indexIntervalBytes);
        s.nextReserveStepBytes = env.reserveStepBytesMin();
        s.mappingBytes = segmentBytes;
        s.active = true;
        try {
            s.ensureReserved(1);
        } catch (IOException | RuntimeException e) {
            s.channel.close();
            Files.deleteIfExists(s.logFile);
            throw e;
        }
        return s;
    }

    /** An existing segment, sealed, with the file's size; {@link SegmentRecovery} or {@link #activate} follow. */
    public static LogSegment open(Path dir, long baseOffset, SegmentEnvironment env, int offsetIndexEntriesMax,
                                  int indexIntervalBytes) throws IOException {
        LogSegment s = new LogSegment(dir, baseOffset, env, offsetIndexEntriesMax, indexIntervalBytes);
        long len = Files.size(s.logFile);
        if (len > Integer.MAX_VALUE) {
            throw new IOException("segment larger than 2 GiB: " + s.logFile + " (" + len + " bytes)");
        }
        s.size = (int) len;
        s.sizeHighWater = (int) len;
        s.flushedSize = (int) len;
        return s;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int size() {
        return size;
    }

    public boolean isActive() {
        return active;
    }

    /** True once {@link #delete()} ran (retention, truncation): a reader racing it retries. */
    public boolean isDeleted() {
        return deleted;
    }

    public Path logFile() {
        return logFile;
    }

    Path indexFile() {
        return indexFile;
    }

    Path timeIndexFile() {
        return timeIndexFile;
    }

    int offsetIndexEntriesMax() {
        return offsetIndexEntriesMax;
    }

    /** Bytes of disk allocated for this segment (equals size once sealed). */
    public synchronized int reservedBytes() {
        return active ? reservedBytes : size;
    }

    public boolean isOffsetIndexFull() {
        SegmentIndexer ix = indexer;
        return ix != null && ix.offsetIndex.isFull();
    }

    int indexIntervalBytesInitial() {
        return indexIntervalBytesInitial;
    }

    public long rollStartMs() {
        return rollStartMs;
    }

    // ---------------------------------------------------------------- mapping

    /** A retained mapping covering at least {@link #size()}; the caller must {@link MappedRegion#release()} it. */
    public MappedRegion acquire() throws IOException {
        MappedRegion r;
        synchronized (this) {
            if (closed) {
                // Closed or deleted under a racing reader: mapping it again would leak the mapping.
                throw new IOException("segment " + logFile.getFileName() + (deleted ? " deleted" : " closed"));
            }
            r = region;
            if (r == null || !r.tryRetain()) {
                r = mapLocked();
                region = r;
                r.tryRetain();
            }
        }
        env.mappingCache().touch(this);
        return r;
    }

    private MappedRegion mapLocked() throws IOException {
        if (active) {
            return new MappedRegion(channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(mappingBytes, reservedBytes)),
                    true);
        }
        try (FileChannel ch = FileChannel.open(logFile, StandardOpenOption.READ)) {
            int len = (int) Math.min(ch.size(), Integer.MAX_VALUE);
            return new MappedRegion(ch.map(FileChannel.MapMode.READ_ONLY, 0, len), false);
        }
    }

    /** Gives up the current mapping (the mapping bound, close); readers holding leases keep theirs. */
    void releaseMapping() {
        synchronized (this) {
            if (region != null) {
                region.release();
                region = null;
            }
            if (!active) {
                // A cold segment also drops its index arrays; they are re-read from the files on demand.
                indexer = null;
            }
        }
    }

    /** Makes sure the reservation covers {@code size + bytes}; grows it (and the mapping) in steps. */
    void ensureReserved(int bytes) throws IOException {
        long needed = (long) size + bytes;
        if (needed <= reservedBytes) {
            return;
        }
        if (needed > Integer.MAX_VALUE) {
            throw new IOException("segment would pass 2 GiB: " + logFile);
        }
        long target = reservedBytes;
        while (target < needed) {
            target += nextReserveStepBytes;
            nextReserveStepBytes = Math.min(env.reserveStepBytesMax(), nextReserveStepBytes * 2);
        }
        // Never reserve past the segment's size limit: a rolled segment would give the rest back anyway.
        target = Math.min(Math.max(needed, Math.min(target, mappingBytes)), Integer.MAX_VALUE);
        env.spaceReserver().reserve(logFile, channel, reservedBytes, target);
        // No prefault (madvise MADV_POPULATE_WRITE) here: measured slower than the writer's own page
        // faults on fallocated extents (storage/README.md).
        MappedRegion old = null;
        synchronized (this) {
            reservedBytes = (int) target;
            if (region != null && region.capacity() < reservedBytes) {
                old = region; // segment.bytes grew (config change): map the larger range
                region = null;
            }
        }
        if (old != null) {
            old.release();
        }
    }

    // ---------------------------------------------------------------- append

    /**
     * Copies {@code src[position, limit)} (validated batches) to the end of the segment. If
     * {@code patch} is given it rewrites the header of the (single) batch in the mapping before it is
     * indexed and published. The caller checked the segment has room (segment.bytes) and holds the
     * log's lock.
     *
     * @return the byte position the bytes were written at
     */
    public int append(ByteBuffer src, BatchPatch patch, int indexIntervalBytes, long nowMs,
                      RecordBatchHeader header) throws IOException {
        if (!active) {
            throw new IllegalStateException("append to sealed segment " + logFile);
        }
        int length = src.remaining();
        SegmentIndexer ix = indexer;
        ix.indexIntervalBytes = indexIntervalBytes;
        ensureReserved(length);
        int position = size;
        MappedRegion r = acquire();
        try {
            MappedByteBuffer buf = r.buffer();
            buf.put(position, src, src.position(), length);
            if (patch != null) {
                patch.apply(buf, position);
            }
            int end = position + length;
            for (int p = position; p < end; ) {
                header.wrap(buf, p);
                ix.onBatch(header, p);
                p += header.sizeInBytes();
            }
            writtenPages.afterWrite(buf, end);
        } finally {
            r.release();
        }
        if (rollStartMs < 0) {
            rollStartMs = nowMs;
        }
        publishSize(position + length);
        return position;
    }

    private void publishSize(int newSize) {
        if (newSize > sizeHighWater) {
            sizeHighWater = newSize;
        }
        size = newSize;
    }

    // ---------------------------------------------------------------- read

    /**
     * Position of the batch holding {@code offset} (its last offset is {@code >= offset}), searching
     * below {@code limit}; -1 if every batch here ends before {@code offset}.
     */
    public int positionOf(long offset, ByteBuffer buf, int limit, RecordBatchHeader header) throws IOException {
        int start = indexes().lookup(offset);
        if (start >= limit) {
            start = 0; // stale entry from a racing truncation
        }
        int p = start;
        while (p + HEADER_LENGTH <= limit) {
            header.wrap(buf, p);
            int batchSize = header.sizeInBytes();
            boolean bad = !header.isPlausible(limit);
            if (start != 0 && (bad || (p == start && header.baseOffset() > offset))) {
                // The index entry was stale (racing truncation) or wrong: scan from the segment start.
                p = 0;
                start = 0;
                continue;
            }
            if (bad) {
                return -1;
            }
            if (header.lastOffset() >= offset) {
                return p;
            }
            p += batchSize;
        }
        return -1;
    }

    /** The segment's offset index, loading (or rebuilding) it for a cold segment. */
    OffsetIndex indexes() throws IOException {
        return indexer().offsetIndex;
    }

    /** Indexes and writer state, loading (or rebuilding) them for a cold segment. */
    SegmentIndexer indexer() throws IOException {
        SegmentIndexer ix = indexer;
        if (ix != null) {
            return ix;
        }
        synchronized (this) {
            if (indexer == null) {
                indexer = SegmentRecovery.loadOrRebuildIndexes(this);
            }
            return indexer;
        }
    }

    /** Largest batch max timestamp in this segment, -1 if none. */
    public long largestTimestamp() {
        SegmentIndexer ix = indexer;
        if (ix != null) {
            return ix.maxTimestampSoFar;
        }
        long cached = cachedLargestTimestamp;
        if (cached == Long.MIN_VALUE) {
            cached = TimeIndex.readLastTimestamp(timeIndexFile);
            cachedLargestTimestamp = cached;
        }
        return cached;
    }

    /** Base offset of the batch with {@link #largestTimestamp()}, -1 if none. */
    public long offsetOfLargestTimestamp() throws IOException {
        return indexer().offsetOfMaxTimestampSoFar;
    }

    /**
     * The first batch ending at or after {@code minOffset} whose max timestamp is {@code >= timestamp}: its position, with {@code header}
     * left pointing at it in {@code region}; -1 if none here. The caller owns and releases the region.
     */
    public int firstBatchAtOrAfter(long timestamp, long minOffset, MappedRegion region, RecordBatchHeader header)
            throws IOException {
        if (largestTimestamp() < timestamp) {
            return -1;
        }
        int limit = size;
        long startOffset = Math.max(minOffset, indexer().timeIndex.lookup(timestamp));
        ByteBuffer buf = region.buffer();
        int p = positionOf(startOffset, buf, limit, header);
        if (p < 0) {
            return -1;
        }
        while (p + HEADER_LENGTH <= limit) {
            header.wrap(buf, p);
            if (!header.isPlausible(limit)) {
                return -1;
            }
            if (header.maxTimestamp() >= timestamp && header.lastOffset() >= minOffset) {
                return p;
            }
            p += header.sizeInBytes();
        }
        return -1;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Roll: writes the indexes (with a final time index entry), trims the file to its length and
     * drops the read-write mapping and channel. Readers keep their leases; later reads map the
     * file read-only.
     */
    public void seal() throws IOException {
        if (!active) {
            return;
        }
        persistIndexes(false);
        MappedRegion old;
        synchronized (this) {
            channel.truncate(sizeHighWater);
            channel.close();
            channel = null;
            active = false;
            reservedBytes = sizeHighWater;
            old = region;
            region = null;
        }
        if (old != null) {
            old.release();
        }
    }

    /**
     * Makes this (the last) segment the active one again: after recovery, and after truncation
     * removed the segments after it. The file keeps its length; the next append reserves more.
     */
    public void activate(long nowMs, int segmentBytes) throws IOException {
        if (active) {
            return;
        }
        indexes();
        MappedRegion old;
        synchronized (this) {
            channel = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            reservedBytes = (int) Math.min(channel.size(), Integer.MAX_VALUE);
            nextReserveStepBytes = env.reserveStepBytesMin();
            mappingBytes = Math.max(segmentBytes, reservedBytes);
            active = true;
            old = region; // a read-only mapping: the writer needs a read-write one
            region = null;
        }
        if (old != null) {
            old.release();
        }
        rollStartMs = size > 0 ? nowMs : -1L;
    }

    /** Whether data past the last flush exists. */
    public boolean hasUnflushed() {
        return flushedSize != size;
    }

    /** Seals a segment whose data is all forced: nothing to flush. */
    void markFlushed() {
        flushedSize = size;
    }

    /**
     * First half of a flush, under the log's lock: writes the index entries so far to the index
     * files (page cache only) and returns the size that {@link #force} will make durable.
     */
    public int prepareFlush() throws IOException {
        int target = size;
        if (indexer != null) {
            persistIndexes(false);
        }
        return target;
    }

    /** Second half of a flush, outside the log's lock: fsyncs the log and index files. */
    public void force(int flushedTarget) throws IOException {
        for (Path f : new Path[] {logFile, indexFile, timeIndexFile}) {
            if (deleted) {
                return;
            }
            try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
                c.force(true);
            } catch (java.nio.file.NoSuchFileException e) {
                if (!deleted && f == logFile) {
                    throw e;
                }
            }
        }
        flushedSize = flushedTarget; // a racing truncation leaves size != flushedSize: flushed again later
    }

    /** Writes index entries not yet in the files; the time index gets the max timestamp so far. */
    void persistIndexes(boolean force) throws IOException {
        SegmentIndexer ix = indexer;
        if (ix == null) {
            return;
        }
        ix.sealTimeIndex();
        ix.offsetIndex.persist(indexFile, force);
        ix.timeIndex.persist(timeIndexFile, force);
        cachedLargestTimestamp = Long.MIN_VALUE;
    }

    /** Writes indexes, trims the reserved tail, unmaps, closes the channel. Idempotent. */
    public void close() throws IOException {
        IOException failure = null;
        try {
            if (active) {
                persistIndexes(false);
            }
        } catch (IOException e) {
            failure = e;
        }
        MappedRegion old;
        synchronized (this) {
            if (channel != null) {
                try {
                    channel.truncate(sizeHighWater);
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
                channel.close();
                channel = null;
            }
            active = false;
            closed = true;
            old = region;
            region = null;
        }
        if (old != null) {
            old.release();
        }
        env.mappingCache().remove(this);
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes without writing anything (the log dir failed, or the segment is being deleted). */
    public void closeQuietly() {
        MappedRegion old;
        synchronized (this) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the dir is already failed or the files are going away
                }
                channel = null;
            }
            active = false;
            closed = true;
            old = region;
            region = null;
        }
        if (old != null) {
            old.release();
        }
        env.mappingCache().remove(this);
    }

    /** Closes and deletes the files. Readers holding leases keep reading the unlinked file. */
    public void delete() throws IOException {
        deleted = true;
        closeQuietly();
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(indexFile);
        Files.deleteIfExists(timeIndexFile);
    }

    // ---------------------------------------------------------------- truncation and recovery support

    /**
     * Removes the batch holding {@code offset} and everything after it. The removed bytes are zeroed
     * in place (the file is not shrunk: a reader may still hold a view of them).
     *
     * @return the offset after the last batch kept, or -1 if {@code offset} is beyond this segment
     */
    public long truncateTo(long offset, RecordBatchHeader header) throws IOException {
        if (!active) {
            throw new IllegalStateException("truncate of sealed segment " + logFile + ": activate it first");
        }
        int limit = size;
        MappedRegion r = acquire();
        try {
            MappedByteBuffer buf = r.buffer();
            int p = positionOf(offset, buf, limit, header);
            if (p < 0) {
                return -1L;
            }
            long newEnd = header.wrap(buf, p).baseOffset();
            ByteBuffer zeros = ByteBuffer.allocate(Math.min(64 * 1024, limit - p));
            for (int z = p; z < limit; z += zeros.capacity()) {
                buf.put(z, zeros, 0, Math.min(zeros.capacity(), limit - z));
            }
            size = p;
            indexer = rebuildIndexer(buf, p, header);
            flushedSize = Math.min(flushedSize, p);
            return newEnd;
        } finally {
            r.release();
        }
    }

    /** Indexes and writer state rebuilt by walking the (trusted) headers below {@code limit}. */
    SegmentIndexer rebuildIndexer(ByteBuffer buf, int limit, RecordBatchHeader header) {
        SegmentIndexer ix = SegmentIndexer.empty(baseOffset, offsetIndexEntriesMax, indexIntervalBytesInitial);
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

    /** Recovery found the valid end: cut the file there (no reader exists yet) and adopt the indexes. */
    void recovered(int validSize, SegmentIndexer ix) throws IOException {
        if (validSize < size) {
            try (FileChannel ch = FileChannel.open(logFile, StandardOpenOption.WRITE)) {
                ch.truncate(validSize);
            }
        }
        size = validSize;
        sizeHighWater = validSize;
        flushedSize = validSize;
        indexer = ix;
        try {
            persistIndexes(false);
        } catch (IOException e) {
            // A full disk must not keep the data from opening: the indexes are in memory and the files
            // are rewritten at the next flush; until then a stale file fails its checks and is rebuilt.
            org.slf4j.LoggerFactory.getLogger(LogSegment.class)
                    .warn("{}: could not write the rebuilt indexes yet: {}", logFile, e.toString());
        }
    }

    /** Walks batch headers of a mapping for tools; reads the batch length at {@code p}. */
    static int batchSizeAt(ByteBuffer buf, int p) {
        return buf.getInt(p + LENGTH_OFFSET) + LOG_OVERHEAD;
    }

    @Override
    public String toString() {
        return "LogSegment{" + logFile.getFileName() + ", size=" + size + (active ? ", active" : "") + "}";
    }
}
