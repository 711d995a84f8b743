package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.FollowProtocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The most recent applied log entries, kept so brokers following the metadata can fetch what they
 * missed without a snapshot. Bounded by {@code entriesMax} and {@code bytesMax}. Owned by the
 * voter's {@link FollowServer}. Thread-safe (synchronized; appends come from the applying thread,
 * reads from query threads).
 */
final class EntryRing {
    private final int entriesMax;
    private final long bytesMax;
    private final ArrayDeque<FollowProtocol.Entry> entries = new ArrayDeque<>();
    private long bytes;
    /** Entries after this offset are all here (or none exist yet). */
    private long coveredAfter;

    EntryRing(int entriesMax, long bytesMax, long startOffset) {
        this.entriesMax = entriesMax;
        this.bytesMax = bytesMax;
        this.coveredAfter = startOffset;
    }

    synchronized void append(FollowProtocol.Entry e) {
        entries.addLast(e);
        bytes += e.bytes().length;
        while (entries.size() > entriesMax || bytes > bytesMax) {
            FollowProtocol.Entry old = entries.removeFirst();
            bytes -= old.bytes().length;
            coveredAfter = old.offset();
        }
    }

    /** Forgets everything: a snapshot replaced the image at {@code offset}. */
    synchronized void reset(long offset) {
        entries.clear();
        bytes = 0;
        coveredAfter = offset;
    }

    /** True when every entry after {@code afterOffset} is in the ring. */
    synchronized boolean covers(long afterOffset) {
        return afterOffset >= coveredAfter;
    }

    /** Entries after {@code afterOffset}, up to about {@code maxBytes} (at least one). */
    synchronized List<FollowProtocol.Entry> after(long afterOffset, int maxBytes) {
        List<FollowProtocol.Entry> out = new ArrayList<>();
        long size = 0;
        Iterator<FollowProtocol.Entry> it = entries.descendingIterator();
        // Walk back to the first entry after afterOffset, then forward.
        ArrayDeque<FollowProtocol.Entry> tail = new ArrayDeque<>();
        while (it.hasNext()) {
            FollowProtocol.Entry e = it.next();
            if (e.offset() <= afterOffset) {
                break;
            }
            tail.addFirst(e);
        }
        for (FollowProtocol.Entry e : tail) {
            if (!out.isEmpty() && size + e.bytes().length > maxBytes) {
                break;
            }
            out.add(e);
            size += e.bytes().length;
        }
        return out;
    }
}
