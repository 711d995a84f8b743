package io.sluice.storage.log;

import io.sluice.storage.segment.LogSegment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segments of one log by base offset, the active one, and the log start offset (Kafka's
 * {@code LogSegments}, with the start offset beside them because most changes to the list move
 * it). The invariants live here: the active segment is the last one; the log start offset never
 * lies below the first segment's base offset; segments are deleted only after they left the map
 * (a reader that still finds one gets an I/O error and looks again).
 *
 * <p>Mutations run under the owning log's lock. Readers take no lock: the map is a concurrent skip
 * list, the active segment and the start offset are volatile, and the views handed out are live,
 * weakly consistent ones.
 */
final class LogSegments {

    /** Makes a new, empty, active segment at a base offset (with the log's current config). */
    @FunctionalInterface
    interface SegmentFactory {
        LogSegment create(long baseOffset) throws IOException;
    }

    private final ConcurrentSkipListMap<Long, LogSegment> byBaseOffset;
    private final SegmentFactory factory;
    private volatile LogSegment active;
    private volatile long logStartOffset;

    /** Adopts what the loader opened: at least one segment, the last of them active. */
    LogSegments(ConcurrentSkipListMap<Long, LogSegment> loaded, long logStartOffset, SegmentFactory factory) {
        this.byBaseOffset = loaded;
        this.factory = factory;
        this.active = loaded.lastEntry().getValue();
        this.logStartOffset = logStartOffset;
    }

    // ---------------------------------------------------------------- reads, any thread

    LogSegment active() {
        return active;
    }

    long logStartOffset() {
        return logStartOffset;
    }

    long firstBaseOffset() {
        return byBaseOffset.firstKey();
    }

    int count() {
        return byBaseOffset.size();
    }

    List<Long> baseOffsets() {
        return new ArrayList<>(byBaseOffset.keySet());
    }

    long sizeInBytes() {
        long total = 0;
        for (LogSegment s : byBaseOffset.values()) {
            total += s.size();
        }
        return total;
    }

    /** The base offset of the segment after the one at {@code baseOffset}, null if it is the last. */
    Long nextBaseOffsetAfter(long baseOffset) {
        return byBaseOffset.higherKey(baseOffset);
    }

    /** Every segment, oldest first (a live view). */
    Collection<LogSegment> all() {
        return byBaseOffset.values();
    }

    /** The segment holding {@code offset} (the first one if none does) and all after it (a live view). */
    Collection<LogSegment> from(long offset) {
        Long key = byBaseOffset.floorKey(offset);
        return (key == null ? byBaseOffset : byBaseOffset.tailMap(key, true)).values();
    }

    // ---------------------------------------------------------------- mutations, under the log's lock

    /**
     * Seals the active segment (or deletes it if empty) and starts a new active one at
     * {@code baseOffset}. If the only segment was an empty one, the start offset follows the new one.
     */
    LogSegment roll(long baseOffset) throws IOException {
        LogSegment old = active;
        if (old.size() == 0) {
            byBaseOffset.remove(old.baseOffset());
            old.delete();
        } else {
            old.seal();
        }
        LogSegment segment = factory.create(baseOffset);
        byBaseOffset.put(baseOffset, segment);
        active = segment;
        raiseLogStartOffset(byBaseOffset.firstKey());
        return segment;
    }

    /** Deletes every segment and restarts, with one empty active segment, at {@code offset}. */
    void restartAt(long offset) throws IOException {
        for (LogSegment s : new ArrayList<>(byBaseOffset.values())) {
            s.delete();
        }
        byBaseOffset.clear();
        LogSegment segment = factory.create(offset);
        byBaseOffset.put(offset, segment);
        active = segment;
        logStartOffset = offset;
    }

    /**
     * Truncation: deletes the segments that start after {@code offset} and makes the last remaining
     * one active again (the caller then cuts it at {@code offset}).
     */
    LogSegment deleteAfterAndReactivate(long offset, long nowMs, int segmentBytes) throws IOException {
        for (Long base : new ArrayList<>(byBaseOffset.tailMap(offset, false).keySet())) {
            byBaseOffset.remove(base).delete();
        }
        LogSegment last = byBaseOffset.lastEntry().getValue();
        last.activate(nowMs, segmentBytes);
        active = last;
        return last;
    }

    /**
     * Retention: deletes {@code lastDoomed} and every segment before it; it must not be the active
     * one. The start offset moves to the next segment before anything is unlinked (as Kafka does), so
     * a reader gets OFFSET_OUT_OF_RANGE for what is going away instead of racing the deletion.
     *
     * @return how many segments were deleted
     */
    int deleteUpTo(LogSegment lastDoomed) throws IOException {
        Long newFirst = byBaseOffset.higherKey(lastDoomed.baseOffset());
        if (newFirst != null) {
            raiseLogStartOffset(newFirst);
        }
        List<LogSegment> doomed = new ArrayList<>(byBaseOffset.headMap(lastDoomed.baseOffset(), true).values());
        for (LogSegment s : doomed) {
            byBaseOffset.remove(s.baseOffset());
            s.delete();
        }
        raiseLogStartOffset(byBaseOffset.firstKey());
        return doomed.size();
    }

    /** DeleteRecords: removes the segments that lie entirely below the log start offset (never the active one). */
    void deleteBelowLogStartOffset() throws IOException {
        while (byBaseOffset.size() > 1) {
            LogSegment first = byBaseOffset.firstEntry().getValue();
            Long nextBase = byBaseOffset.higherKey(first.baseOffset());
            if (nextBase == null || nextBase > logStartOffset || first == active) {
                return;
            }
            byBaseOffset.remove(first.baseOffset());
            first.delete();
        }
    }

    /** Whether {@code group} are still segments of this list, consecutive and sealed (the log cleaner's check). */
    boolean holdsSealed(List<LogSegment> group) {
        Long expected = group.get(0).baseOffset();
        for (LogSegment s : group) {
            if (expected == null || expected != s.baseOffset() || byBaseOffset.get(s.baseOffset()) != s
                    || s.isActive() || s == active) {
                return false;
            }
            expected = byBaseOffset.higherKey(s.baseOffset());
        }
        return true;
    }

    /**
     * The log cleaner's swap in the map: {@code cleaned} takes the place of {@code replaced} (its base
     * offset is the first one's). The replacing put comes first, so a reader never finds the range empty.
     */
    void replace(LogSegment cleaned, List<LogSegment> replaced) {
        byBaseOffset.put(cleaned.baseOffset(), cleaned);
        for (LogSegment s : replaced) {
            if (s.baseOffset() != cleaned.baseOffset()) {
                byBaseOffset.remove(s.baseOffset(), s);
            }
        }
    }

    /** Moves the log start offset up to {@code offset}; never down. @return whether it moved */
    boolean raiseLogStartOffset(long offset) {
        if (offset > logStartOffset) {
            logStartOffset = offset;
            return true;
        }
        return false;
    }

    /** Truncation below the start offset: the start offset comes down to the new end. */
    void lowerLogStartOffsetTo(long logEndOffset) {
        logStartOffset = Math.min(logStartOffset, logEndOffset);
    }
}
