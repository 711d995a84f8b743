package io.sluice.server.group.lag;

/**
 * The last {@code capacity} commits of one group to one partition: the committed offset, the lag
 * behind the partition's end at that moment, and when. Burrow's rules read it:
 * <ol>
 *   <li>no lag now is OK;</li>
 *   <li>an offset lower than the one before it is ERROR (rewind);</li>
 *   <li>no commit for longer than the window spans (now − last &gt; last − first) is STOPPED;</li>
 *   <li>a lag of zero at any commit of the window is OK;</li>
 *   <li>the same offset at every commit is STALLED;</li>
 *   <li>a lag that never falls between commits is WARNING;</li>
 *   <li>anything else is OK.</li>
 * </ol>
 * A window is judged once full: fewer commits are OK, as they say too little. Unlike Burrow, a
 * group that stops committing while records arrive is STOPPED even if it was caught up at some
 * commit of its window (Burrow keeps calling it OK then). A bounded ring; owned
 * by one thread (the group coordinator's), not thread-safe.
 */
public final class CommitWindow {

    private final long[] offsets;
    private final long[] lags;
    private final long[] timesMs;
    /** Slot of the oldest commit. */
    private int first;
    private int size;

    public CommitWindow(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("a window needs at least 2 commits, not " + capacity);
        }
        offsets = new long[capacity];
        lags = new long[capacity];
        timesMs = new long[capacity];
    }

    /** A commit of {@code offset} at {@code timeMs}, {@code lag} records behind the end (negative: end unknown). */
    public void record(long offset, long lag, long timeMs) {
        int slot;
        if (size < offsets.length) {
            slot = (first + size) % offsets.length;
            size++;
        } else {
            slot = first;
            first = (first + 1) % offsets.length;
        }
        offsets[slot] = offset;
        lags[slot] = Math.max(0, lag); // Burrow's rule 5: an unknown end counts as caught up
        timesMs[slot] = timeMs;
    }

    /** The status now, with {@code currentLag} records between the last commit and the end (negative: unknown). */
    public LagStatus evaluate(long nowMs, long currentLag) {
        if (size < offsets.length || currentLag <= 0) {
            return LagStatus.OK;
        }
        if (rewound()) {
            return LagStatus.ERROR;
        }
        long firstMs = timesMs[slot(0)];
        long lastMs = timesMs[slot(size - 1)];
        if (nowMs - lastMs > lastMs - firstMs) {
            return LagStatus.STOPPED;
        }
        if (anyLagZero()) {
            return LagStatus.OK;
        }
        if (offsets[slot(0)] == offsets[slot(size - 1)]) { // never rewound, so every commit is the same
            return LagStatus.STALLED;
        }
        return lagNeverFell() ? LagStatus.WARNING : LagStatus.OK;
    }

    /** The last committed offset, or -1 before the first commit. */
    public long lastOffset() {
        return size == 0 ? -1 : offsets[slot(size - 1)];
    }

    /** When the last commit came, or -1 before the first. */
    public long lastCommitMs() {
        return size == 0 ? -1 : timesMs[slot(size - 1)];
    }

    private int slot(int i) {
        return (first + i) % offsets.length;
    }

    private boolean anyLagZero() {
        for (int i = 0; i < size; i++) {
            if (lags[slot(i)] == 0) {
                return true;
            }
        }
        return false;
    }

    private boolean rewound() {
        for (int i = 1; i < size; i++) {
            if (offsets[slot(i)] < offsets[slot(i - 1)]) {
                return true;
            }
        }
        return false;
    }

    private boolean lagNeverFell() {
        for (int i = 1; i < size; i++) {
            if (lags[slot(i)] < lags[slot(i - 1)]) {
                return false;
            }
        }
        return true;
    }
}
