package io.sluice.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import static io.sluice.storage.index.IndexDescriptor.OFFSET_ENTRY_BYTES;

/**
 * Sparse offset index of one segment: relative offset to byte position, kept in memory (8 bytes per
 * index.interval.bytes of log) and written to the {@code .index} file at flush, roll and close.
 *
 * <p>One writer (the log's appending thread, under the log's lock); lookups from any thread. The
 * entry array is replaced, never resized in place, and the count is published last, so a reader
 * sees only complete entries. A reader racing a truncation may get a stale position: callers
 * verify the batch they find there.
 */
public final class OffsetIndex {

    private final long baseOffset;
    private final int entriesMax;
    private volatile long[] entries; // (relativeOffset << 32) | position
    private volatile int count;
    private int persistedCount;

    public OffsetIndex(long baseOffset, int entriesMax) {
        this.baseOffset = baseOffset;
        this.entriesMax = entriesMax;
        this.entries = new long[16];
    }

    public boolean isFull() {
        return count >= entriesMax;
    }

    public int entries() {
        return count;
    }

    /** Adds an entry; offsets and positions must grow. */
    public void append(long offset, int position) {
        int n = count;
        if (n >= entriesMax) {
            throw new IllegalStateException("offset index full: " + n + " entries, base " + baseOffset);
        }
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE) {
            throw new IllegalStateException("offset " + offset + " outside segment with base " + baseOffset);
        }
        if (n > 0 && (relOffset(entries[n - 1]) >= rel || position(entries[n - 1]) >= position)) {
            throw new IllegalStateException("offset index entry (" + offset + ", " + position
                    + ") not after the last one in segment " + baseOffset);
        }
        long[] e = entries;
        if (n == e.length) {
            e = Arrays.copyOf(e, Math.min(Math.max(16, n * 2), Math.max(entriesMax, 16)));
            entries = e;
        }
        e[n] = (rel << 32) | (position & 0xFFFF_FFFFL);
        count = n + 1;
    }

    /** Byte position of the last indexed batch with base offset &lt;= {@code offset}; 0 if none. */
    public int lookup(long offset) {
        long rel = offset - baseOffset;
        int n = count;
        long[] e = entries;
        n = Math.min(n, e.length);
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (relOffset(e[mid]) <= rel) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : position(e[found]);
    }

    /** Drops entries whose offset is {@code >= offset}. */
    public void truncateToOffset(long offset) {
        long rel = offset - baseOffset;
        int n = count;
        while (n > 0 && relOffset(entries[n - 1]) >= rel) {
            n--;
        }
        count = n;
        persistedCount = Math.min(persistedCount, n);
    }

    /** Offset of the last entry, or the base offset if empty. */
    public long lastOffset() {
        int n = count;
        return n == 0 ? baseOffset : baseOffset + relOffset(entries[n - 1]);
    }

    /** Writes the entries not yet in {@code file} (truncating it to the entry count) and forces it. */
    public void persist(Path file, boolean force) throws IOException {
        int n = count;
        ByteBuffer buf = ByteBuffer.allocate((n - persistedCount) * OFFSET_ENTRY_BYTES);
        for (int i = persistedCount; i < n; i++) {
            buf.putLong(entries[i]);
        }
        IndexFile.persist(file, buf.flip(), persistedCount, n, OFFSET_ENTRY_BYTES, force);
        persistedCount = n;
    }

    /**
     * Loads {@code file} if it passes the sanity checks: whole entries, offsets and positions
     * strictly increasing, positions below {@code logSizeBytes}. Returns null (rebuild it) otherwise.
     */
    public static OffsetIndex loadIfSane(Path file, long baseOffset, int entriesMax, int logSizeBytes) throws IOException {
        byte[] bytes = IndexFile.readWholeEntries(file, OFFSET_ENTRY_BYTES);
        if (bytes == null || bytes.length / OFFSET_ENTRY_BYTES > entriesMax) {
            return null;
        }
        // Bulk decode (recovery time matters): the file's entries are exactly the in-memory packing.
        int n = bytes.length / OFFSET_ENTRY_BYTES;
        long[] entries = new long[Math.max(16, n)];
        ByteBuffer.wrap(bytes).asLongBuffer().get(entries, 0, n);
        long lastRel = -1;
        long lastPos = -1;
        for (int i = 0; i < n; i++) {
            long rel = entries[i] >>> 32;
            long pos = entries[i] & 0xFFFF_FFFFL;
            if (rel <= lastRel || pos <= lastPos || rel > Integer.MAX_VALUE || pos >= logSizeBytes) {
                return null;
            }
            lastRel = rel;
            lastPos = pos;
        }
        OffsetIndex index = new OffsetIndex(baseOffset, entriesMax);
        index.entries = entries;
        index.count = n;
        index.persistedCount = n;
        return index;
    }

    private static long relOffset(long entry) {
        return entry >>> 32;
    }

    private static int position(long entry) {
        return (int) entry;
    }
}
