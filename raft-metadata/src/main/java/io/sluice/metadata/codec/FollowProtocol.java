package io.sluice.metadata.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * Read-only queries a non-voting broker sends to the quorum leader to follow the metadata log
 * (a long poll: the leader answers when entries past the broker's offset exist, or after a wait).
 *
 * <pre>
 *  request  FETCH     i8 1, i64 afterOffset, i32 maxWaitMs, i32 maxBytes
 *           POSITION  i8 2
 *  response ENTRIES   i8 1, i32 count, (i64 offset, i64 term, i32 length, entry bytes)...
 *           SNAPSHOT  i8 2, snapshot record (SnapshotCodec)   — the follower is too far behind
 *           POSITION  i8 3, i64 leader's applied offset
 * </pre>
 * Entries are the stamped log entries exactly as the voters applied them, so the broker's
 * {@code MetadataApplier} computes the same image. Both sides read this class: the voters'
 * {@code statemachine.FollowServer} answers, the brokers' {@code client.MetadataFollower} asks, so
 * it sits with the other byte formats. Stateless, thread-safe.
 */
public final class FollowProtocol {
    public static final byte FETCH = 1;
    public static final byte POSITION = 2;
    public static final byte RESPONSE_ENTRIES = 1;
    public static final byte RESPONSE_SNAPSHOT = 2;
    public static final byte RESPONSE_POSITION = 3;
    /** Upper bound of a long-poll wait a leader will honour. */
    public static final int WAIT_MS_MAX = 30_000;

    private FollowProtocol() {
    }

    /** One log entry as applied. */
    public record Entry(long offset, long term, byte[] bytes) {
    }

    public static byte[] fetch(long afterOffset, int maxWaitMs, int maxBytes) {
        return new BufferWriter(17).i8(FETCH).i64(afterOffset).i32(maxWaitMs).i32(maxBytes).toByteArray();
    }

    public static byte[] position() {
        return new byte[] {POSITION};
    }

    public static byte[] entries(List<Entry> entries) {
        int size = 5;
        for (Entry e : entries) {
            size += 20 + e.bytes().length;
        }
        BufferWriter w = new BufferWriter(size).i8(RESPONSE_ENTRIES).i32(entries.size());
        for (Entry e : entries) {
            w.i64(e.offset()).i64(e.term()).i32(e.bytes().length).bytes(e.bytes());
        }
        return w.toByteArray();
    }

    public static List<Entry> readEntries(BufferReader r) {
        int n = r.count("entries", Integer.MAX_VALUE, 20);
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long offset = r.i64();
            long term = r.i64();
            int len = r.i32();
            out.add(new Entry(offset, term, r.bytes(len)));
        }
        return out;
    }
}
