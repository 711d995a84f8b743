package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.BufferReader;
import io.sluice.metadata.codec.BufferWriter;
import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.image.MetadataDelta;
import io.sluice.metadata.image.MetadataImage;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Ratis state machine of the metadata quorum. The leader stamps each client command with its
 * clock, a random seed and the broker session timeout ({@link EntryDescriptor}); every replica then
 * applies entries with {@link MetadataApplier}, publishes the new image and answers the submitter.
 * Snapshots are the image in a {@link SnapshotDescriptor} file named by term and index; Ratis purges
 * its log behind them. Also serves the long-poll {@link FollowProtocol} queries of brokers.
 *
 * <p>Threads: Ratis calls apply and snapshot methods from its single state-machine updater thread;
 * {@link #startTransaction} and {@link #query} from RPC threads. Owned by the Ratis server.
 */
public final class MetadataStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);
    /** Bounds of the recent-entry ring that followers fetch from. */
    static final int RING_ENTRIES_MAX = 50_000;
    static final long RING_BYTES_MAX = 64L << 20;

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final String clusterId;
    private final ImagePublisher publisher;
    private final Clock clock;
    private final int sessionTimeoutMs;
    private final int snapshotRetainCount;
    private final SecureRandom seeds = new SecureRandom();
    private final EntryRing ring = new EntryRing(RING_ENTRIES_MAX, RING_BYTES_MAX, 0);
    private final List<PendingFetch> pendingFetches = new ArrayList<>();
    private final ScheduledExecutorService fetchTimer;
    private long lastStampMs;
    private volatile RaftPeerId leaderId;

    private record PendingFetch(long afterOffset, int maxBytes, CompletableFuture<Message> future) {
    }

    public MetadataStateMachine(String clusterId, ImagePublisher publisher, Clock clock, int sessionTimeoutMs,
                                int snapshotRetainCount) {
        this.clusterId = clusterId;
        this.publisher = publisher;
        this.clock = clock;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.snapshotRetainCount = snapshotRetainCount;
        this.fetchTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metadata-fetch-timer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        getLifeCycle().startAndTransition(() -> {
            storage.init(raftStorage);
            loadLatestSnapshot();
        }, IOException.class);
    }

    /** Ratis pauses the state machine before installing a snapshot from the leader. */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** Called after a snapshot was installed from the leader: load it and run again. */
    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo info = storage.loadLatestSnapshot();
        if (info == null) {
            LOG.info("no metadata snapshot; starting from an empty image");
            return;
        }
        Path file = info.getFile().getPath();
        MetadataImage image;
        try {
            image = SnapshotDescriptor.decode(Files.readAllBytes(file));
        } catch (MalformedRecordException e) {
            throw new IOException("metadata snapshot " + file + " is damaged: " + e.getMessage(), e);
        }
        if (!image.clusterId().equals(clusterId)) {
            throw new IOException("metadata snapshot " + file + " belongs to cluster " + image.clusterId()
                + ", not " + clusterId);
        }
        TermIndex ti = info.getTermIndex();
        setLastAppliedTermIndex(ti);
        ring.reset(ti.getIndex());
        publisher.publish(image, MetadataDelta.replaced(image.offset()));
        LOG.info("loaded metadata snapshot {} at offset {} ({} topics, {} brokers)", file.getFileName(),
            ti.getIndex(), image.topicsByName().size(), image.brokers().size());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] command = request.getMessage().getContent().toByteArray();
        long now;
        synchronized (this) {
            now = Math.max(clock.millis(), lastStampMs);
            lastStampMs = now;
        }
        byte[] entry = EntryDescriptor.wrap(now, seeds.nextLong(), sessionTimeoutMs, command);
        return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
            .setLogData(ByteString.copyFrom(entry)).build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto e = trx.getLogEntry();
        byte[] data = e.getStateMachineLogEntry().getLogData().toByteArray();
        MetadataApplier.Applied applied = MetadataApplier.applyEntry(publisher.image(), e.getIndex(), e.getTerm(), data);
        updateLastAppliedTermIndex(e.getTerm(), e.getIndex());
        ring.append(new FollowProtocol.Entry(e.getIndex(), e.getTerm(), data));
        publisher.publish(applied.image(), applied.delta());
        wakeFetches();
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(applied.result())));
    }

    @Override
    public long takeSnapshot() throws IOException {
        MetadataImage image = publisher.image();
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() <= 0) {
            return -1;
        }
        // The image is immutable; re-stamp its position with the last applied index (which may be a
        // Ratis configuration entry past the last command).
        MetadataImage positioned = new io.sluice.metadata.image.ImageBuilder(image)
            .position(last.getIndex(), last.getTerm()).build();
        byte[] bytes = SnapshotDescriptor.encode(positioned);
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = target.toPath().resolveSibling(target.getName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
        storage.cleanupOldSnapshots(new org.apache.ratis.statemachine.SnapshotRetentionPolicy() {
            @Override
            public int getNumSnapshotsRetained() {
                return snapshotRetainCount;
            }
        });
        LOG.info("metadata snapshot at offset {} ({} bytes)", last.getIndex(), bytes.length);
        return last.getIndex();
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
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
        byte[] snap = SnapshotDescriptor.encode(image);
        return new BufferWriter(snap.length + 1).i8(FollowProtocol.RESPONSE_SNAPSHOT).bytes(snap).toByteArray();
    }

    private void wakeFetches() {
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

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        leaderId = newLeaderId;
    }

    /** The leader this replica last heard of, or null. */
    public RaftPeerId leaderId() {
        return leaderId;
    }

    public ImagePublisher publisher() {
        return publisher;
    }

    @Override
    public void close() throws IOException {
        fetchTimer.shutdownNow();
        synchronized (pendingFetches) {
            pendingFetches.forEach(p -> p.future().cancel(false));
            pendingFetches.clear();
        }
        super.close();
    }
}
