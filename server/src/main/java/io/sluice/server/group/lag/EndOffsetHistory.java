package io.sluice.server.group.lag;

/**
 * A partition's log end offset as sampled over time, to date a committed offset: the oldest record
 * a group has not consumed was appended when the end passed it, which lies between two samples
 * (interpolated linearly, as kafka-lag-exporter does). A bounded ring of samples, one kept per
 * change of the end. Owned by the lag monitor's thread; not thread-safe.
 */
final class EndOffsetHistory {

    private final long[] endOffsets;
    private final long[] timesMs;
    private int first;
    private int size;

    EndOffsetHistory(int capacity) {
        endOffsets = new long[capacity];
        timesMs = new long[capacity];
    }

    void sample(long endOffset, long timeMs) {
        if (size > 0 && endOffsets[slot(size - 1)] == endOffset) {
            return; // unchanged: the older sample dates it better
        }
        int slot;
        if (size < endOffsets.length) {
            slot = slot(size);
            size++;
        } else {
            slot = first;
            first = (first + 1) % endOffsets.length;
        }
        endOffsets[slot] = endOffset;
        timesMs[slot] = timeMs;
    }

    long latest() {
        return size == 0 ? -1 : endOffsets[slot(size - 1)];
    }

    /**
     * How long ago the record at {@code committedOffset} (the next one the group reads) was
     * appended: 0 when the group is at the end; at least the age of the oldest sample when the
     * record is older than every sample; -1 before the first sample.
     */
    long timeLagMs(long committedOffset, long nowMs) {
        if (size == 0) {
            return -1;
        }
        if (committedOffset >= latest()) {
            return 0;
        }
        if (committedOffset < endOffsets[slot(0)]) {
            return nowMs - timesMs[slot(0)];
        }
        for (int i = 1; i < size; i++) {
            long o2 = endOffsets[slot(i)];
            if (committedOffset < o2) {
                long o1 = endOffsets[slot(i - 1)];
                long t1 = timesMs[slot(i - 1)];
                long t2 = timesMs[slot(i)];
                long appendedMs = t1 + (long) ((double) (committedOffset - o1) / (o2 - o1) * (t2 - t1));
                return Math.max(0, nowMs - appendedMs);
            }
        }
        return 0;
    }

    private int slot(int i) {
        return (first + i) % endOffsets.length;
    }
}
