package io.sluice.replication;

/**
 * A monotonic count of the bytes below the high watermark, so a consumer's long poll can wait for
 * {@code fetch.min.bytes} of committed data as cheaply as a follower waits for appended data. Each
 * append records its end offset and the appended-bytes total after it in a bounded ring; a
 * high-watermark move credits every append it passed. When the ring is full the oldest append is
 * credited early: a parked consumer then wakes a little sooner, never later. Not thread-safe: the
 * partition calls it under its lock.
 */
final class CommittedBytes {

    static final int APPENDS_TRACKED_MAX = 4096;

    private final long[] endOffsets = new long[APPENDS_TRACKED_MAX];
    private final long[] totals = new long[APPENDS_TRACKED_MAX];
    private int head;
    private int size;
    private volatile long committed;

    void onAppend(long endOffset, long appendedBytesTotal) {
        if (size == APPENDS_TRACKED_MAX) {
            credit();
        }
        int tail = (head + size) % APPENDS_TRACKED_MAX;
        endOffsets[tail] = endOffset;
        totals[tail] = appendedBytesTotal;
        size++;
    }

    void onHighWatermark(long highWatermark) {
        while (size > 0 && endOffsets[head] <= highWatermark) {
            credit();
        }
    }

    private void credit() {
        committed = totals[head];
        head = (head + 1) % APPENDS_TRACKED_MAX;
        size--;
    }

    long committed() {
        return committed;
    }
}
