package io.sluice.server.group.share;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.kafka.common.protocol.Errors;

/**
 * The delivery state of one share-partition (a share group's view of one topic partition), kept
 * on the partition's leader (KIP-932). Records from the share-partition start offset (SPSO) up to
 * the end offset (SPEO, the first offset never acquired) are in flight, each AVAILABLE, ACQUIRED by
 * one member until its acquisition lock runs out, ACKNOWLEDGED or ARCHIVED; below the SPSO every
 * record is done. A record acquired {@code deliveryCountLimit} times and then released (or left
 * to its lock) is archived rather than delivered again. At most {@code maxInFlight} records are in
 * flight ({@code group.share.partition.max.record.locks}), so SPEO - SPSO never exceeds it.
 *
 * <p>Time comes from the injected clock and locks are checked lazily, on every call, so tests step
 * a clock. Thread-safe: every method synchronizes on this object (a share-partition is reached from
 * several network threads).
 */
public final class SharePartition {

    /** Kafka's RecordState, with the ids persisted in ShareSnapshotValue's DeliveryState (ACQUIRED is stored as AVAILABLE). */
    public enum RecordState {
        AVAILABLE((byte) 0), ACQUIRED((byte) 1), ACKNOWLEDGED((byte) 2), ARCHIVED((byte) 4);

        public final byte id;

        RecordState(byte id) {
            this.id = id;
        }

        boolean isDone() {
            return this == ACKNOWLEDGED || this == ARCHIVED;
        }

        static RecordState forId(byte id) {
            for (RecordState s : values()) {
                if (s.id == id) {
                    return s;
                }
            }
            throw new IllegalArgumentException("delivery state " + id);
        }
    }

    /** Kafka's AcknowledgeType ids (ShareFetch/ShareAcknowledge acknowledge_types). */
    public static final byte GAP = 0;
    public static final byte ACCEPT = 1;
    public static final byte RELEASE = 2;
    public static final byte REJECT = 3;
    public static final byte RENEW = 4;

    /** Offsets acquired together with the same delivery count (a ShareFetch AcquiredRecords entry). */
    public record Acquired(long firstOffset, long lastOffset, short deliveryCount) { }

    /** A run of records in one state, as persisted (ShareSnapshotValue.StateBatch). */
    public record StateBatch(long firstOffset, long lastOffset, RecordState state, short deliveryCount) { }

    private static final class InFlight {
        RecordState state = RecordState.AVAILABLE;
        short deliveryCount;
        String owner;
        long lockDeadlineMs;
    }

    private final LongSupplier clockMs;
    private final long lockDurationMs;
    private final int deliveryCountLimit;
    private final int maxInFlight;
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    private long startOffset;
    private long endOffset;

    /**
     * @param startOffset the SPSO: from the persisted state, or where {@code share.auto.offset.reset}
     *                    puts a new share-partition
     * @param batches     persisted in-flight state at and above the SPSO (empty for a new one)
     */
    public SharePartition(LongSupplier clockMs, long lockDurationMs, int deliveryCountLimit, int maxInFlight,
                          long startOffset, List<StateBatch> batches) {
        this.clockMs = clockMs;
        this.lockDurationMs = lockDurationMs;
        this.deliveryCountLimit = deliveryCountLimit;
        this.maxInFlight = maxInFlight;
        this.startOffset = startOffset;
        this.endOffset = startOffset;
        for (StateBatch b : batches) {
            for (long o = Math.max(b.firstOffset(), startOffset); o <= b.lastOffset(); o++) {
                InFlight r = new InFlight();
                r.state = b.state() == RecordState.ACQUIRED ? RecordState.AVAILABLE : b.state();
                r.deliveryCount = b.deliveryCount();
                inFlight.put(o, r);
                endOffset = Math.max(endOffset, o + 1);
            }
        }
        for (long o = startOffset; o < endOffset; o++) {
            inFlight.computeIfAbsent(o, k -> new InFlight());
        }
        advanceStart();
    }

    public synchronized long startOffset() {
        expireLocks();
        return startOffset;
    }

    public synchronized long endOffset() {
        return endOffset;
    }

    /** A record's state; below the SPSO every record is done, reported as ACKNOWLEDGED. */
    public synchronized RecordState state(long offset) {
        expireLocks();
        if (offset < startOffset) {
            return RecordState.ACKNOWLEDGED;
        }
        InFlight r = inFlight.get(offset);
        return r == null ? RecordState.AVAILABLE : r.state;
    }

    public synchronized int deliveryCount(long offset) {
        InFlight r = inFlight.get(offset);
        return r == null ? 0 : r.deliveryCount;
    }

    /** {@code group.share.partition.max.record.locks}: the most records in flight. */
    public int maxInFlight() {
        return maxInFlight;
    }

    public synchronized int inFlightCount() {
        return inFlight.size();
    }

    /**
     * Where a read for new deliveries should start: the first AVAILABLE in-flight record, else the
     * SPEO while the in-flight window has room; -1 when nothing can be acquired now. Records below
     * {@code logStartOffset} are gone from the log and archived first.
     */
    public synchronized long nextFetchOffset(long logStartOffset) {
        expireLocks();
        if (logStartOffset > startOffset) {
            for (long o = startOffset; o < logStartOffset; o++) {
                InFlight r = inFlight.get(o);
                if (r != null && !r.state.isDone()) {
                    r.state = RecordState.ARCHIVED;
                    r.owner = null;
                }
            }
            endOffset = Math.max(endOffset, logStartOffset);
            inFlight.headMap(logStartOffset).clear();
            startOffset = logStartOffset;
            advanceStart();
        }
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            if (e.getValue().state == RecordState.AVAILABLE) {
                return e.getKey();
            }
        }
        return endOffset - startOffset < maxInFlight ? endOffset : -1;
    }

    /**
     * Acquires for {@code memberId} the acquirable records among {@code offsets} (the offsets of the
     * batches a log read returned, ascending), at most {@code maxRecords}, none at or above
     * {@code highWatermark}. New records extend the SPEO; offsets missing between it and the next
     * read offset (none in an uncompacted log) are archived as gaps.
     */
    public synchronized List<Acquired> acquire(String memberId, long[] offsets, int maxRecords, long highWatermark) {
        expireLocks();
        long deadline = clockMs.getAsLong() + lockDurationMs;
        List<Acquired> out = new ArrayList<>();
        int n = 0;
        for (long o : offsets) {
            if (n >= maxRecords || o >= highWatermark || o < startOffset) {
                if (n >= maxRecords || o >= highWatermark) {
                    break;
                }
                continue;
            }
            InFlight r = inFlight.get(o);
            if (r == null) {
                if (o < endOffset || o - startOffset >= maxInFlight) {
                    break;
                }
                for (long gap = endOffset; gap < o; gap++) {
                    InFlight g = new InFlight();
                    g.state = RecordState.ARCHIVED;
                    inFlight.put(gap, g);
                }
                r = new InFlight();
                inFlight.put(o, r);
                endOffset = o + 1;
            }
            if (r.state != RecordState.AVAILABLE) {
                continue;
            }
            r.state = RecordState.ACQUIRED;
            r.owner = memberId;
            r.deliveryCount++;
            r.lockDeadlineMs = deadline;
            n++;
            Acquired last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.lastOffset() == o - 1 && last.deliveryCount() == r.deliveryCount) {
                out.set(out.size() - 1, new Acquired(last.firstOffset(), o, r.deliveryCount));
            } else {
                out.add(new Acquired(o, o, r.deliveryCount));
            }
        }
        advanceStart();
        return out;
    }

    /**
     * Applies one acknowledgement batch of {@code memberId}: {@code types} holds one type for the
     * whole range or one per offset. All or nothing: INVALID_RECORD_STATE when any offset is not
     * acquired by this member (never delivered, delivered to another, or its lock ran out),
     * INVALID_REQUEST for a malformed batch or an unknown type.
     */
    public synchronized Errors acknowledge(String memberId, long firstOffset, long lastOffset, List<Byte> types) {
        expireLocks();
        long count = lastOffset - firstOffset + 1;
        if (count <= 0 || types.isEmpty() || (types.size() != 1 && types.size() != count)) {
            return Errors.INVALID_REQUEST;
        }
        for (byte t : types) {
            if (t < GAP || t > RENEW) {
                return Errors.INVALID_REQUEST;
            }
        }
        for (long o = firstOffset; o <= lastOffset; o++) {
            InFlight r = inFlight.get(o);
            if (r == null || r.state != RecordState.ACQUIRED || !memberId.equals(r.owner)) {
                return Errors.INVALID_RECORD_STATE;
            }
        }
        long now = clockMs.getAsLong();
        for (long o = firstOffset; o <= lastOffset; o++) {
            InFlight r = inFlight.get(o);
            byte t = types.size() == 1 ? types.get(0) : types.get((int) (o - firstOffset));
            switch (t) {
                case ACCEPT -> done(r, RecordState.ACKNOWLEDGED);
                case RELEASE -> release(r);
                case RENEW -> r.lockDeadlineMs = now + lockDurationMs;
                default -> done(r, RecordState.ARCHIVED); // GAP, REJECT
            }
        }
        advanceStart();
        return Errors.NONE;
    }

    /** A member's share session ended: whatever it still holds is released (as at lock expiry). */
    public synchronized void releaseAll(String memberId) {
        for (InFlight r : inFlight.values()) {
            if (r.state == RecordState.ACQUIRED && memberId.equals(r.owner)) {
                release(r);
            }
        }
        advanceStart();
    }

    /** The state to persist: the SPSO and the in-flight records in runs (ACQUIRED written as AVAILABLE). */
    public synchronized List<StateBatch> stateBatches() {
        List<StateBatch> out = new ArrayList<>();
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            long o = e.getKey();
            RecordState s = e.getValue().state == RecordState.ACQUIRED ? RecordState.AVAILABLE : e.getValue().state;
            short c = e.getValue().deliveryCount;
            StateBatch last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.lastOffset() == o - 1 && last.state() == s && last.deliveryCount() == c) {
                out.set(out.size() - 1, new StateBatch(last.firstOffset(), o, s, c));
            } else {
                out.add(new StateBatch(o, o, s, c));
            }
        }
        return out;
    }

    private void release(InFlight r) {
        r.owner = null;
        r.state = r.deliveryCount >= deliveryCountLimit ? RecordState.ARCHIVED : RecordState.AVAILABLE;
    }

    private static void done(InFlight r, RecordState s) {
        r.owner = null;
        r.state = s;
    }

    private void expireLocks() {
        long now = clockMs.getAsLong();
        boolean any = false;
        for (InFlight r : inFlight.values()) {
            if (r.state == RecordState.ACQUIRED && r.lockDeadlineMs <= now) {
                release(r);
                any = true;
            }
        }
        if (any) {
            advanceStart();
        }
    }

    /** Moves the SPSO past the records that are done. */
    private void advanceStart() {
        Iterator<Map.Entry<Long, InFlight>> it = inFlight.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, InFlight> e = it.next();
            if (!e.getValue().state.isDone()) {
                return;
            }
            it.remove();
            startOffset = e.getKey() + 1;
        }
        startOffset = Math.max(startOffset, endOffset);
    }
}
