package io.sluice.storage.segment;

import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.index.TimeIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static io.sluice.storage.batch.RecordBatchDescriptor.HEADER_LENGTH;

/**
 * One segment of a partition log: {@code <base offset, 20 digits>.log} holding v2 batches back to
 * back, with its sparse {@code .index} and {@code .timeindex}. This class is the batch side (Kafka's
 * {@code LogSegment}): it appends batches and indexes them, finds the batch holding an offset or a
 * timestamp, truncates at a batch boundary and keeps the indexes on disk. The file side (Kafka's
 * {@code FileRecords}: the reservation, the mapping leases, seal, activate, close) is
 * {@link SegmentFile}; this class also keeps the segment's place in the shared {@link MappingCache}.
 *
 * <p>Owned by its log. Writes (append, truncate, seal, recover) come from the log's writer under
 * the log's lock; reads from any thread. The indexes of a cold sealed segment are dropped with its
 * mapping and loaded again on demand, under this object's monitor.
 *
 * <p>Past the house's ~400 lines because it is the whole surface the log uses of a segment: the
 * lifecycle methods stay here as short delegations to {@link SegmentFile}, so the log sees one object.
 */
public final class LogSegment {

    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);

    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";

    private final long baseOffset;
    private final SegmentFile file;
    /** Change only by {@link #changeFileSuffixes} (the log cleaner), on a sealed segment. */
    private volatile Path indexFile;
    private volatile Path timeIndexFile;
    private final SegmentEnvironment env;
    private final int offsetIndexEntriesMax;
    private final int indexIntervalBytesInitial;

    /** Indexes and writer state; null while a cold sealed segment has not needed them. */
    private volatile SegmentIndexer indexer;
    private volatile long cachedLargestTimestamp = Long.MIN_VALUE;
    private long rollStartMs = -1L;

    private LogSegment(Path dir, long baseOffset, SegmentFile file, SegmentEnvironment env, int offsetIndexEntriesMax,
                       int indexIntervalBytes, String fileSuffix) {
        this.baseOffset = baseOffset;
        this.file = file;
        this.indexIntervalBytesInitial = indexIntervalBytes;
        this.indexFile = dir.resolve(fileName(baseOffset, INDEX_SUFFIX) + fileSuffix);
        this.timeIndexFile = dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX) + fileSuffix);
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
        return create(dir, baseOffset, env, offsetIndexEntriesMax, indexIntervalBytes, segmentBytes, "");
    }

    /**
     * As {@link #create(Path, long, SegmentEnvironment, int, int, int)}, its three files named with
     * {@code fileSuffix} after the usual one (the log cleaner writes {@code .cleaned} segments beside
     * the log, Kafka's names; {@link #changeFileSuffixes} renames them). Space is reserved before
     * the file is mapped, as for any active segment.
     */
    public static LogSegment create(Path dir, long baseOffset, SegmentEnvironment env, int offsetIndexEntriesMax,
                                    int indexIntervalBytes, int segmentBytes, String fileSuffix) throws IOException {
        Files.deleteIfExists(dir.resolve(fileName(baseOffset, INDEX_SUFFIX) + fileSuffix));
        Files.deleteIfExists(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX) + fileSuffix));
        SegmentFile file = SegmentFile.create(dir.resolve(fileName(baseOffset, LOG_SUFFIX) + fileSuffix), env,
                segmentBytes);
        LogSegment s = new LogSegment(dir, baseOffset, file, env, offsetIndexEntriesMax, indexIntervalBytes, fileSuffix);
        s.indexer = SegmentIndexer.empty(baseOffset, offsetIndexEntriesMax, indexIntervalBytes);
        return s;
    }

    /** An existing segment, sealed, with the file's size; {@link SegmentRecovery} or {@link #activate} follow. */
    public static LogSegment open(Path dir, long baseOffset, SegmentEnvironment env, int offsetIndexEntriesMax,
                                  int indexIntervalBytes) throws IOException {
        SegmentFile file = SegmentFile.open(dir.resolve(fileName(baseOffset, LOG_SUFFIX)), env);
        return new LogSegment(dir, baseOffset, file, env, offsetIndexEntriesMax, indexIntervalBytes, "");
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** Committed bytes, published after they are in the mapping: readers read below it. */
    public int size() {
        return file.size();
    }

    public boolean isActive() {
        return file.isActive();
    }

    /** Bytes of disk allocated for this segment; for the active one, reserved ahead of {@link #size}. */
    public int reservedBytes() {
        return file.reservedBytes();
    }

    /** True once {@link #delete()} ran (retention, truncation): a reader racing it retries. */
    public boolean isDeleted() {
        return file.isDeleted();
    }

    public Path logFile() {
        return file.path();
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
        MappedRegion r = file.acquire();
        env.mappingCache().touch(this);
        return r;
    }

    /** Gives up the current mapping (the mapping bound); readers holding leases keep theirs. */
    void releaseMapping() {
        synchronized (this) {
            file.releaseMapping();
            if (!file.isActive()) {
                // A cold segment also drops its index arrays; they are re-read from the files on demand.
                indexer = null;
            }
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
        if (!file.isActive()) {
            throw new IllegalStateException("append to sealed segment " + logFile());
        }
        int length = src.remaining();
        SegmentIndexer ix = indexer;
        ix.indexIntervalBytes = indexIntervalBytes;
        file.ensureReserved(length);
        int position = file.size();
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
            file.afterWrite(buf, end);
        } finally {
            r.release();
        }
        if (rollStartMs < 0) {
            rollStartMs = nowMs;
        }
        file.publishSize(position + length);
        return position;
    }

    // ---------------------------------------------------------------- read

    /**
     * Position of the batch holding {@code offset} (its last offset is {@code >= offset}), searching
     * below {@code limit}; -1 if every batch here ends before {@code offset}.
     */
    public int positionOf(long offset, ByteBuffer buf, int limit, RecordBatchHeader header) throws IOException {
        int start = indexer().offsetIndex.lookup(offset);
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
        int limit = file.size();
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
        if (!file.isActive()) {
            return;
        }
        persistIndexes(false);
        file.seal();
    }

    /**
     * Makes this (the last) segment the active one again: after recovery, and after truncation
     * removed the segments after it. The file keeps its length; the next append reserves more.
     */
    public void activate(long nowMs, int segmentBytes) throws IOException {
        if (file.isActive()) {
            return;
        }
        indexer(); // loaded before the file turns active: an active segment's indexes are never dropped
        synchronized (this) {
            // Under this monitor, as releaseMapping decides by the file's state whether to drop the indexes.
            file.activate(segmentBytes);
        }
        rollStartMs = file.size() > 0 ? nowMs : -1L;
    }

    /** Whether data past the last flush exists. */
    public boolean hasUnflushed() {
        return file.hasUnflushed();
    }

    /**
     * First half of a flush, under the log's lock: writes the index entries so far to the index
     * files (page cache only) and returns the size that {@link #force} will make durable.
     */
    public int prepareFlush() throws IOException {
        int target = file.size();
        if (indexer != null) {
            persistIndexes(false);
        }
        return target;
    }

    /** Second half of a flush, outside the log's lock: fsyncs the log and index files. */
    public void force(int flushedTarget) throws IOException {
        file.force(flushedTarget, indexFile, timeIndexFile);
    }

    /** Writes index entries not yet in the files; the time index gets the max timestamp so far. */
    void persistIndexes(boolean force) throws IOException {
        SegmentIndexer ix = indexer;
        if (ix == null) {
            return;
        }
        ix.persist(indexFile, timeIndexFile, force);
        cachedLargestTimestamp = Long.MIN_VALUE;
    }

    /** Writes indexes, trims the reserved tail, unmaps, closes the channel. Idempotent. */
    public void close() throws IOException {
        IOException failure = null;
        try {
            if (file.isActive()) {
                persistIndexes(false);
            }
        } catch (IOException e) {
            failure = e;
        }
        try {
            file.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        env.mappingCache().remove(this);
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes without writing anything (the log dir failed, or the segment is being deleted). */
    public void closeQuietly() {
        file.closeQuietly();
        env.mappingCache().remove(this);
    }

    /** Closes and deletes the files. Readers holding leases keep reading the unlinked file. */
    public void delete() throws IOException {
        file.delete();
        env.mappingCache().remove(this);
        Files.deleteIfExists(indexFile);
        Files.deleteIfExists(timeIndexFile);
    }

    /**
     * Renames the sealed segment's files from {@code oldSuffix} to {@code newSuffix} after their usual
     * suffix (Kafka's {@code LogSegment.changeFileSuffixes}): the indexes first, the {@code .log} last,
     * so the log file's rename is the step a crash is judged by (an index left behind under another
     * name is deleted at load and rebuilt).
     */
    public void changeFileSuffixes(String oldSuffix, String newSuffix) throws IOException {
        indexFile = renameIfPresent(indexFile, oldSuffix, newSuffix);
        timeIndexFile = renameIfPresent(timeIndexFile, oldSuffix, newSuffix);
        Path log = file.path();
        file.renameTo(log.resolveSibling(withSuffix(log, oldSuffix, newSuffix)));
    }

    private static Path renameIfPresent(Path f, String oldSuffix, String newSuffix) throws IOException {
        Path target = f.resolveSibling(withSuffix(f, oldSuffix, newSuffix));
        if (Files.exists(f)) {
            Files.move(f, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static String withSuffix(Path f, String oldSuffix, String newSuffix) {
        String name = f.getFileName().toString();
        if (!name.endsWith(oldSuffix)) {
            throw new IllegalStateException(f + " does not end with '" + oldSuffix + "'");
        }
        return name.substring(0, name.length() - oldSuffix.length()) + newSuffix;
    }

    // ---------------------------------------------------------------- truncation and recovery support

    /**
     * Removes the batch holding {@code offset} and everything after it. The removed bytes are zeroed
     * in place (the file is not shrunk: a reader may still hold a view of them).
     *
     * @return the offset after the last batch kept, or -1 if {@code offset} is beyond this segment
     */
    public long truncateTo(long offset, RecordBatchHeader header) throws IOException {
        if (!file.isActive()) {
            throw new IllegalStateException("truncate of sealed segment " + logFile() + ": activate it first");
        }
        int limit = file.size();
        MappedRegion r = acquire();
        try {
            MappedByteBuffer buf = r.buffer();
            int p = positionOf(offset, buf, limit, header);
            if (p < 0) {
                return -1L;
            }
            long newEnd = header.wrap(buf, p).baseOffset();
            file.zeroFrom(buf, p);
            indexer = rebuildIndexer(buf, p, header);
            return newEnd;
        } finally {
            r.release();
        }
    }

    /** Indexes and writer state rebuilt by walking the (trusted) headers below {@code limit}. */
    SegmentIndexer rebuildIndexer(ByteBuffer buf, int limit, RecordBatchHeader header) {
        return SegmentIndexer.rebuild(buf, limit, header, baseOffset, offsetIndexEntriesMax, indexIntervalBytesInitial);
    }

    /** Recovery found the valid end: cut the file there (no reader exists yet) and adopt the indexes. */
    void recovered(int validSize, SegmentIndexer ix) throws IOException {
        file.recoveredTo(validSize);
        indexer = ix;
        try {
            persistIndexes(false);
        } catch (IOException e) {
            // A full disk must not keep the data from opening: the indexes are in memory and the files
            // are rewritten at the next flush; until then a stale file fails its checks and is rebuilt.
            LOG.warn("{}: could not write the rebuilt indexes yet: {}", logFile(), e.toString());
        }
    }

    @Override
    public String toString() {
        return "LogSegment{" + logFile().getFileName() + ", size=" + size() + (isActive() ? ", active" : "") + "}";
    }
}
