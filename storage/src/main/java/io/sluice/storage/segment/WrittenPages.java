package io.sluice.storage.segment;

import org.agrona.BufferUtil;

import java.nio.MappedByteBuffer;

/**
 * Lets go of an active segment's written pages behind a resident tail ({@link PageCacheOnly}), so
 * a broker that wrote 1 GiB through its mappings does not carry 1 GiB more RSS than one that
 * wrote it with {@code write()}. The last {@link #RESIDENT_BYTES} stay mapped: tailing consumers
 * read them.
 *
 * <p>One per active segment, used under the log's lock (the appender's thread).
 */
public final class WrittenPages {

    /**
     * Bytes behind the write position that stay mapped: what tailing consumers read (reads of
     * 64 KiB or more go out with sendfile and do not need the mapping). Per active segment, so
     * 64 partitions hold 64 MiB: with 4 MiB, peak RSS at 64 partitions was 0.57× Kafka's.
     */
    public static final int RESIDENT_BYTES = 1024 * 1024;
    /** Pages are let go in steps of this many bytes (one madvise call per step). */
    public static final int STEP_BYTES = 256 * 1024;

    /** Everything below this position was let go at the last step. */
    private int releasedUpTo;

    /** Lets go of the pages of {@code mapping} below {@code end - RESIDENT_BYTES}, once per step. */
    void afterWrite(MappedByteBuffer mapping, int end) {
        int upTo = Math.max(0, end - RESIDENT_BYTES) & -STEP_BYTES;
        if (upTo <= releasedUpTo) {
            return;
        }
        // From 0, not from the last step: pages a lagging reader mapped again go too.
        PageCacheOnly.dontNeed(BufferUtil.address(mapping), upTo);
        releasedUpTo = upTo;
    }
}
