package io.sluice.storage.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The {@code .log} file of one segment and its mapping (Kafka's {@code FileRecords}): how many
 * bytes are committed, the disk space reserved ahead of the writer, the read-write mapping of the
 * active segment or the read-only one of a sealed segment, and the file's lifecycle (seal,
 * activate, close, delete). It knows nothing of batches or indexes: {@link LogSegment} decides what
 * is written and where batches are.
 *
 * <p>The active file owns a read-write mapping of its whole {@code segment.bytes}; the reservation
 * behind it grows in steps (doubling from {@code log.segment.reserve.step.min.bytes} to
 * {@code .max.bytes}), each step allocated for real before the writer passes it. A sealed file is
 * trimmed to its length and mapped read-only on demand.
 *
 * <p>Writes (reserve, publish, truncate, seal, recover) come from the log's writer under the log's
 * lock; reads from any thread. {@link #size()} is published after the bytes are in the mapping.
 * Mapping state is guarded by this object's monitor; no I/O other than mmap (and opening the
 * channel on activation) happens under it. The file is never shrunk below a size a reader may have
 * seen ({@link #sizeHighWater}), so a stale reader can read stale bytes but never fault beyond the
 * end of the file.
 */
final class SegmentFile {

    /** Changes only by {@link #renameTo} (the log cleaner's suffixes), on a sealed file. */
    private volatile Path path;
    private final SegmentEnvironment env;

    /** Committed bytes: readers read below it. */
    private volatile int size;
    /** Largest size ever published; the file is not trimmed below it while readers may hold leases. */
    private int sizeHighWater;
    /** Bytes known to be forced to disk; a racing truncation leaves it below {@link #size}. */
    private volatile int flushedSize;

    // Mapping state, guarded by this.
    private MappedRegion region;
    private FileChannel channel;
    private int reservedBytes;
    private int nextReserveStepBytes;
    /**
     * Size of the active file's read-write mapping: its whole segment.bytes, mapped once. Growing
     * the mapping step by step instead would tear down and re-fault every page already written at
     * each step (measured: it doubled the CPU cost of an append). Mapping past the end of the file
     * extends its length without allocating blocks; blocks are allocated for real (fallocate) ahead
     * of the writer, which never writes past {@link #reservedBytes}.
     */
    private int mappingBytes;

    private volatile boolean active;
    private volatile boolean deleted;
    /** Set (under this monitor) when the file gives up its mapping for good; no new mapping after it. */
    private boolean closed;
    private final WrittenPages writtenPages = new WrittenPages();

    private SegmentFile(Path path, SegmentEnvironment env) {
        this.path = path;
        this.env = env;
    }

    /** Creates a new, empty, active file and reserves its first step. */
    static SegmentFile create(Path path, SegmentEnvironment env, int segmentBytes) throws IOException {
        SegmentFile f = new SegmentFile(path, env);
        f.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        f.nextReserveStepBytes = env.reserveStepBytesMin();
        f.mappingBytes = segmentBytes;
        f.active = true;
        try {
            f.ensureReserved(1);
        } catch (IOException | RuntimeException e) {
            f.channel.close();
            Files.deleteIfExists(path);
            throw e;
        }
        return f;
    }

    /** An existing file, sealed, with its size on disk. */
    static SegmentFile open(Path path, SegmentEnvironment env) throws IOException {
        SegmentFile f = new SegmentFile(path, env);
        long len = Files.size(path);
        if (len > Integer.MAX_VALUE) {
            throw new IOException("segment larger than 2 GiB: " + path + " (" + len + " bytes)");
        }
        f.size = (int) len;
        f.sizeHighWater = (int) len;
        f.flushedSize = (int) len;
        return f;
    }

    Path path() {
        return path;
    }

    /**
     * Renames the sealed file (the log cleaner's {@code .cleaned} → {@code .swap} → {@code .log}); an
     * atomic rename, replacing nothing. Mappings already made stay valid: they are of the inode.
     */
    synchronized void renameTo(Path target) throws IOException {
        if (active) {
            throw new IllegalStateException("rename of active segment file " + path);
        }
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        path = target;
    }

    int size() {
        return size;
    }

    boolean isActive() {
        return active;
    }

    boolean isDeleted() {
        return deleted;
    }

    /** Whether bytes past the last flush exist. */
    boolean hasUnflushed() {
        return flushedSize != size;
    }

    // ---------------------------------------------------------------- mapping and reservation

    /** A retained mapping covering at least {@link #size()}; the caller must {@link MappedRegion#release()} it. */
    MappedRegion acquire() throws IOException {
        synchronized (this) {
            if (closed) {
                // Closed or deleted under a racing reader: mapping it again would leak the mapping.
                throw new IOException("segment " + path.getFileName() + (deleted ? " deleted" : " closed"));
            }
            MappedRegion r = region;
            if (r == null || !r.tryRetain()) {
                r = mapLocked();
                region = r;
                r.tryRetain();
            }
            return r;
        }
    }

    private MappedRegion mapLocked() throws IOException {
        if (active) {
            return new MappedRegion(channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(mappingBytes, reservedBytes)),
                    true);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            int len = (int) Math.min(ch.size(), Integer.MAX_VALUE);
            return new MappedRegion(ch.map(FileChannel.MapMode.READ_ONLY, 0, len), false);
        }
    }

    /** Gives up the current mapping (the mapping bound); readers holding leases keep theirs. Holds this monitor. */
    synchronized void releaseMapping() {
        if (region != null) {
            region.release();
            region = null;
        }
    }

    /** Bytes of disk allocated for the file (for the active one, ahead of {@link #size}). */
    synchronized int reservedBytes() {
        return reservedBytes;
    }

    /** Makes sure the reservation covers {@code size + bytes}; grows it (and the mapping) in steps. */
    void ensureReserved(int bytes) throws IOException {
        long needed = (long) size + bytes;
        if (needed <= reservedBytes) {
            return;
        }
        if (needed > Integer.MAX_VALUE) {
            throw new IOException("segment would pass 2 GiB: " + path);
        }
        long target = reservedBytes;
        while (target < needed) {
            target += nextReserveStepBytes;
            nextReserveStepBytes = Math.min(env.reserveStepBytesMax(), nextReserveStepBytes * 2);
        }
        // Never reserve past the segment's size limit: a rolled segment would give the rest back anyway.
        target = Math.min(Math.max(needed, Math.min(target, mappingBytes)), Integer.MAX_VALUE);
        env.spaceReserver().reserve(path, channel, reservedBytes, target);
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

    // ---------------------------------------------------------------- writes

    /** The writer wrote up to {@code end} of {@code mapping}: lets go of the pages far behind it. */
    void afterWrite(MappedByteBuffer mapping, int end) {
        writtenPages.afterWrite(mapping, end);
    }

    /** Makes the bytes below {@code newSize} visible to readers. */
    void publishSize(int newSize) {
        if (newSize > sizeHighWater) {
            sizeHighWater = newSize;
        }
        size = newSize;
    }

    /**
     * Removes the bytes from {@code position} on: zeroes them in {@code mapping} (the file is not
     * shrunk: a reader may still hold a view of them) and lowers the size.
     */
    void zeroFrom(MappedByteBuffer mapping, int position) {
        int limit = size;
        ByteBuffer zeros = ByteBuffer.allocate(Math.min(64 * 1024, limit - position));
        for (int z = position; z < limit; z += zeros.capacity()) {
            mapping.put(z, zeros, 0, Math.min(zeros.capacity(), limit - z));
        }
        size = position;
        flushedSize = Math.min(flushedSize, position);
    }

    /** Recovery found the valid end: cut the file there (no reader exists yet). */
    void recoveredTo(int validSize) throws IOException {
        if (validSize < size) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(validSize);
            }
        }
        size = validSize;
        sizeHighWater = validSize;
        flushedSize = validSize;
    }

    /**
     * Second half of a flush, outside the log's lock: fsyncs this file, then {@code companions} (the
     * indexes), and records {@code flushedTarget} as durable. A file deleted meanwhile is skipped
     * quietly; a companion that does not exist (yet) too.
     */
    void force(int flushedTarget, Path... companions) throws IOException {
        forceIfPresent(path, true);
        for (Path companion : companions) {
            forceIfPresent(companion, false);
        }
        if (!deleted) {
            flushedSize = flushedTarget; // a racing truncation leaves size != flushedSize: flushed again later
        }
    }

    private void forceIfPresent(Path file, boolean mustExist) throws IOException {
        if (deleted) {
            return;
        }
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            c.force(true);
        } catch (NoSuchFileException e) {
            if (!deleted && mustExist) {
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Roll: trims the file to its length and drops the read-write mapping and channel. Readers keep
     * their leases; later reads map the file read-only.
     */
    void seal() throws IOException {
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

    /** Makes the file writable again; it keeps its length, the next append reserves more. */
    void activate(int segmentBytes) throws IOException {
        MappedRegion old;
        synchronized (this) {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
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
    }

    /** Trims the reserved tail, unmaps, closes the channel. Idempotent. */
    void close() throws IOException {
        IOException failure = null;
        MappedRegion old;
        synchronized (this) {
            if (channel != null) {
                try {
                    channel.truncate(sizeHighWater);
                } catch (IOException e) {
                    failure = e;
                }
                channel.close();
                channel = null;
            }
            old = giveUpMappingLocked();
        }
        if (old != null) {
            old.release();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes without writing anything (the log dir failed, or the file is being deleted). */
    void closeQuietly() {
        MappedRegion old;
        synchronized (this) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the dir is already failed or the file is going away
                }
                channel = null;
            }
            old = giveUpMappingLocked();
        }
        if (old != null) {
            old.release();
        }
    }

    /** Marks the file closed for good and hands back its mapping for the caller to release. */
    private MappedRegion giveUpMappingLocked() {
        active = false;
        closed = true;
        MappedRegion old = region;
        region = null;
        return old;
    }

    /** Closes and unlinks the file. Readers holding leases keep reading the unlinked file. */
    void delete() throws IOException {
        deleted = true;
        closeQuietly();
        Files.deleteIfExists(path);
    }
}
