package io.sluice.storage.segment;

import org.agrona.IoUtil;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mapping of a segment file, reference-counted. The segment holds one reference while the
 * mapping is its current one; every reader and the writer hold one while they touch the bytes.
 * The mapping is unmapped (Agrona {@link IoUtil#unmap}: the JDK has no public unmap, and waiting
 * for the GC would make the mapping bound meaningless) when the last reference is released, so a
 * reader can never touch an unmapped page.
 *
 * <p>Thread-safe.
 */
public final class MappedRegion {

    private static final AtomicLong OPEN_MAPPINGS = new AtomicLong();

    private final MappedByteBuffer buffer;
    private final boolean writable;
    private final AtomicInteger refs = new AtomicInteger(1);

    MappedRegion(MappedByteBuffer buffer, boolean writable) {
        this.buffer = buffer;
        this.writable = writable;
        OPEN_MAPPINGS.incrementAndGet();
    }

    /** Mappings made and not yet unmapped, process-wide (leak checks in tests, metrics). */
    public static long openMappings() {
        return OPEN_MAPPINGS.get();
    }

    /** Takes a reference unless the region is already released. */
    public boolean tryRetain() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one unmaps. */
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            if (buffer.capacity() > 0) {
                IoUtil.unmap(buffer);
            }
            OPEN_MAPPINGS.decrementAndGet();
        } else if (r < 0) {
            throw new IllegalStateException("mapping released more often than retained: refs=" + r);
        }
    }

    /** The mapping; absolute access only (shared by threads). Valid while a reference is held. */
    public MappedByteBuffer buffer() {
        return buffer;
    }

    public boolean isWritable() {
        return writable;
    }

    public int capacity() {
        return buffer.capacity();
    }

    /** A read-only slice [position, position+length) for callers outside storage. */
    public ByteBuffer readOnlySlice(int position, int length) {
        return buffer.slice(position, length).asReadOnlyBuffer();
    }

    int refCount() {
        return refs.get();
    }
}
