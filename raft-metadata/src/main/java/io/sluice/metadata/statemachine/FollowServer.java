package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.BufferReader;
import io.sluice.metadata.codec.BufferWriter;
import io.sluice.metadata.codec.FollowProtocol;
import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.codec.SnapshotCodec;
import io.sluice.metadata.image.ImagePublisher;
import io.sluice.metadata.image.MetadataImage;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The voter's side of {@link FollowProtocol}: answers the long polls of brokers that follow the
 * metadata without voting. Keeps the recent applied entries in an {@link EntryRing}, parks a fetch
 * that has nothing to read yet until an entry is applied or its wait runs out, and answers a
 * follower that is too far behind (or on a different history) with the whole image.
 *
 * <p>Kept apart from {@link MetadataStateMachine} so the state machine's job stays applying and
 * snapshotting; the state machine feeds it ({@link #append}, {@link #entriesPublished},
 * {@link #reset}) and hands it Ratis' read-only queries.
 *
 * <p>Owned by one {@link MetadataStateMachine}; owns one daemon timer thread. Thread-safe: entries
 * arrive from Ratis' applying thread, queries from RPC threads, expiries from the timer.
 */
final class FollowServer implements AutoCloseable {
    /** Bounds of the recent-entry ring that followers fetch from. */
    static final int RING_ENTRIES_MAX = 50_000;
    static final long RING_BYTES_MAX = 64L << 20;

    private final ImagePublisher publisher;
    private final EntryRing ring = new EntryRing(RING_ENTRIES_MAX, RING_BYTES_MAX, 0);
    private final List<PendingFetch> pendingFetches = new ArrayList<>();
    private final ScheduledExecutorService fetchTimer;

    private record PendingFetch(long afterOffset, int maxBytes, CompletableFuture<Message> future) {
    }

    /** @param publisher the image this voter applied; answers are read from it */
    FollowServer(ImagePublisher publisher) {
        this.publisher = publisher;
        this.fetchTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metadata-fetch-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** A snapshot replaced the image at {@code offset}: no entry before it can be served. */
    void reset(long offset) {
        ring.reset(offset);
    }

    /** An entry was applied; call before its image is published, then {@link #entriesPublished}. */
    void append(FollowProtocol.Entry entry) {
        ring.append(entry);
    }

    /** A new image was published: answer the parked fetches that now have something to read. */
    void entriesPublished() {
        synchronized (pendingFetches) {
            Iterator<PendingFetch> it = pendingFetches.iterator();
            while (it.hasNext()) {
                PendingFetch p = it.next();
                byte[] answer = answerFetch(p.afterOffset(), p.maxBytes());
                if (answer != null) {
                    it.remove();
                    p.future().complete(Message.valueOf(ByteString.copyFrom(answer)));
                }
            }
        }
    }

    /** Answers one {@link FollowProtocol} request, now or when entries arrive or the wait ends. */
    CompletableFuture<Message> query(Message request) {
        BufferReader r = new BufferReader(request.getContent().toByteArray());
        try {
            byte kind = r.i8();
            if (kind == FollowProtocol.POSITION) {
                return done(new BufferWriter(9).i8(FollowProtocol.RESPONSE_POSITION).i64(publisher.image().offset())
                    .toByteArray());
            }
            if (kind != FollowProtocol.FETCH) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("unknown query kind " + kind));
            }
            long after = r.i64();
            int waitMs = Math.min(Math.max(0, r.i32()), FollowProtocol.WAIT_MS_MAX);
            int maxBytes = Math.max(1, r.i32());
            synchronized (pendingFetches) {
                byte[] now = answerFetch(after, maxBytes);
                if (now != null || waitMs == 0) {
                    return done(now != null ? now : FollowProtocol.entries(List.of()));
                }
                PendingFetch p = new PendingFetch(after, maxBytes, new CompletableFuture<>());
                pendingFetches.add(p);
                fetchTimer.schedule(() -> expire(p), waitMs, TimeUnit.MILLISECONDS);
                return p.future();
            }
        } catch (MalformedRecordException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("malformed query: " + e.getMessage()));
        }
    }

    /** The response for a fetch now, or null when nothing is past {@code after} yet. */
    private byte[] answerFetch(long after, int maxBytes) {
        MetadataImage image = publisher.image();
        if (!ring.covers(after) || after > image.offset()) {
            // Too far behind (or ahead: a different history, e.g. the follower saw a lost leader's view).
            return snapshotResponse(image);
        }
        List<FollowProtocol.Entry> entries = ring.after(after, maxBytes);
        return entries.isEmpty() ? null : FollowProtocol.entries(entries);
    }

    private static byte[] snapshotResponse(MetadataImage image) {
        byte[] snap = SnapshotCodec.encode(image);
        return new BufferWriter(snap.length + 1).i8(FollowProtocol.RESPONSE_SNAPSHOT).bytes(snap).toByteArray();
    }

    private void expire(PendingFetch p) {
        synchronized (pendingFetches) {
            if (pendingFetches.remove(p)) {
                p.future().complete(Message.valueOf(ByteString.copyFrom(FollowProtocol.entries(List.of()))));
            }
        }
    }

    private static CompletableFuture<Message> done(byte[] bytes) {
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(bytes)));
    }

    /** Stops the timer and cancels the parked fetches (their followers retry elsewhere). */
    @Override
    public void close() {
        fetchTimer.shutdownNow();
        synchronized (pendingFetches) {
            pendingFetches.forEach(p -> p.future().cancel(false));
            pendingFetches.clear();
        }
    }
}
