package io.sluice.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static io.sluice.storage.index.IndexDescriptor.TIME_ENTRY_BYTES;

/**
 * Sparse time index of one segment: (max timestamp so far, relative offset of the batch that has
 * it), kept in memory and written to the {@code .timeindex} file at flush, roll and close. The last
 * entry is the segment's largest timestamp, which retention by time and ListOffsets(max timestamp)
 * use without reading the log.
 *
 * <p>One writer (under the log's lock), lookups from any thread; publication as in {@link OffsetIndex}.
 */
public final class TimeIndex {

    private static final class Entries {
        final long[] timestamps;
        final int[] relOffsets;

        Entries(int capacity) {
            timestamps = new long[capacity];
            relOffsets = new int[capacity];
        }

        Entries grow(int capacity) {
            Entries e = new Entries(capacity);
            System.arraycopy(timestamps, 0, e.timestamps, 0, timestamps.length);
            System.arraycopy(relOffsets, 0, e.relOffsets, 0, relOffsets.length);
            return e;
        }
    }

    private final long baseOffset;
    private volatile Entries entries = new Entries(8);
    private volatile int count;
    private int persistedCount;

    public TimeIndex(long baseOffset) {
        this.baseOffset = baseOffset;
    }

    public int entries() {
        return count;
    }

    /** Appends (timestamp, offset) if the timestamp is larger than the last entry's. */
    public void maybeAppend(long timestamp, long offset) {
        int n = count;
        Entries e = entries;
        if (n > 0 && timestamp <= e.timestamps[n - 1]) {
            return;
        }
        long rel = offset - baseOffset;
        if (rel < 0 || rel > Integer.MAX_VALUE || (n > 0 && rel <= e.relOffsets[n - 1])) {
            return; // an offset not after the last entry cannot carry a larger max timestamp; skip
        }
        if (n == e.timestamps.length) {
            e = e.grow(n * 2);
            entries = e;
        }
        e.timestamps[n] = timestamp;
        e.relOffsets[n] = (int) rel;
        count = n + 1;
    }

    /** Offset of the last entry with timestamp &lt;= {@code timestamp}, or the base offset if none. */
    public long lookup(long timestamp) {
        int n = count;
        Entries e = entries;
        n = Math.min(n, e.timestamps.length);
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (e.timestamps[mid] <= timestamp) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? baseOffset : baseOffset + e.relOffsets[found];
    }

    /** Largest timestamp indexed, -1 if none. */
    public long lastTimestamp() {
        int n = count;
        return n == 0 ? -1L : entries.timestamps[n - 1];
    }

    /** Offset of the largest timestamp indexed, -1 if none. */
    public long lastOffset() {
        int n = count;
        return n == 0 ? -1L : baseOffset + entries.relOffsets[n - 1];
    }

    /** Drops entries whose offset is {@code >= offset}. */
    public void truncateToOffset(long offset) {
        long rel = offset - baseOffset;
        int n = count;
        Entries e = entries;
        while (n > 0 && e.relOffsets[n - 1] >= rel) {
            n--;
        }
        count = n;
        persistedCount = Math.min(persistedCount, n);
    }

    /** Writes the entries not yet in {@code file} (truncating it to the entry count). */
    public void persist(Path file, boolean force) throws IOException {
        int n = count;
        Entries e = entries;
        ByteBuffer buf = ByteBuffer.allocate((n - persistedCount) * TIME_ENTRY_BYTES);
        for (int i = persistedCount; i < n; i++) {
            buf.putLong(e.timestamps[i]).putInt(e.relOffsets[i]);
        }
        IndexFile.persist(file, buf.flip(), persistedCount, n, TIME_ENTRY_BYTES, force);
        persistedCount = n;
    }

    /** Loads {@code file} if whole entries with strictly increasing timestamps and offsets; else null. */
    public static TimeIndex loadIfSane(Path file, long baseOffset, long lastOffsetBound) throws IOException {
        byte[] bytes = IndexFile.readWholeEntries(file, TIME_ENTRY_BYTES);
        if (bytes == null) {
            return null;
        }
        int n = bytes.length / TIME_ENTRY_BYTES;
        Entries e = new Entries(Math.max(8, n));
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long lastTs = Long.MIN_VALUE;
        long lastRel = -1;
        for (int i = 0; i < n; i++) {
            long ts = buf.getLong();
            long rel = buf.getInt();
            if (ts <= lastTs || rel <= lastRel || rel < 0 || baseOffset + rel > lastOffsetBound) {
                return null;
            }
            e.timestamps[i] = ts;
            e.relOffsets[i] = (int) rel;
            lastTs = ts;
            lastRel = rel;
        }
        TimeIndex index = new TimeIndex(baseOffset);
        index.entries = e;
        index.count = n;
        index.persistedCount = n;
        return index;
    }

    /** The largest timestamp in {@code file}'s last entry without loading it; -1 if none or unreadable. */
    public static long readLastTimestamp(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < TIME_ENTRY_BYTES || size % TIME_ENTRY_BYTES != 0) {
                return -1L;
            }
            ByteBuffer buf = ByteBuffer.allocate(TIME_ENTRY_BYTES);
            while (buf.hasRemaining()) {
                if (ch.read(buf, size - TIME_ENTRY_BYTES + buf.position()) < 0) {
                    return -1L;
                }
            }
            return buf.getLong(0);
        } catch (IOException e) {
            return -1L;
        }
    }

    @Override
    public String toString() {
        Entries e = entries;
        return "TimeIndex{base=" + baseOffset + ", n=" + count + ", ts="
                + Arrays.toString(Arrays.copyOf(e.timestamps, count)) + "}";
    }
}
