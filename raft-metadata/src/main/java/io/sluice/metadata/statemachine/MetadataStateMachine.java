package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.FollowProtocol;
import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.codec.SnapshotCodec;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.ImagePublisher;
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
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * The Ratis state machine of the metadata quorum. The leader stamps each client command with its
 * clock, a random seed and the broker session timeout ({@link EntryDescriptor}); every replica then
 * applies entries with {@link MetadataApplier}, publishes the new image and answers the submitter.
 * Snapshots are the image in a {@link SnapshotCodec} file named by term and index; Ratis purges
 * its log behind them. Ratis' read-only queries are the long polls of brokers that follow the
 * metadata ({@link FollowProtocol}); they go to this replica's {@link FollowServer}.
 *
 * <p>Threads: Ratis calls apply and snapshot methods from its single state-machine updater thread;
 * {@link #startTransaction} and {@link #query} from RPC threads. Owned by the Ratis server; owns
 * its {@link FollowServer}.
 */
public final class MetadataStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final String clusterId;
    private final ImagePublisher publisher;
    private final Clock clock;
    private final int sessionTimeoutMs;
    private final int snapshotRetainCount;
    private final SecureRandom seeds = new SecureRandom();
    private final FollowServer followServer;
    private long lastStampMs;
    private volatile RaftPeerId leaderId;

    public MetadataStateMachine(String clusterId, ImagePublisher publisher, Clock clock, int sessionTimeoutMs,
                                int snapshotRetainCount) {
        this.clusterId = clusterId;
        this.publisher = publisher;
        this.clock = clock;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.snapshotRetainCount = snapshotRetainCount;
        this.followServer = new FollowServer(publisher);
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
            image = SnapshotCodec.decode(Files.readAllBytes(file));
        } catch (MalformedRecordException e) {
            throw new IOException("metadata snapshot " + file + " is damaged: " + e.getMessage(), e);
        }
        if (!image.clusterId().equals(clusterId)) {
            throw new IOException("metadata snapshot " + file + " belongs to cluster " + image.clusterId()
                + ", not " + clusterId);
        }
        TermIndex ti = info.getTermIndex();
        setLastAppliedTermIndex(ti);
        followServer.reset(ti.getIndex());
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
        followServer.append(new FollowProtocol.Entry(e.getIndex(), e.getTerm(), data));
        publisher.publish(applied.image(), applied.delta());
        followServer.entriesPublished();
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
        MetadataImage positioned = new ImageBuilder(image)
            .position(last.getIndex(), last.getTerm()).build();
        byte[] bytes = SnapshotCodec.encode(positioned);
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = target.toPath().resolveSibling(target.getName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
        storage.cleanupOldSnapshots(new SnapshotRetentionPolicy() {
            @Override
            public int getNumSnapshotsRetained() {
                return snapshotRetainCount;
            }
        });
        LOG.info("metadata snapshot at offset {} ({} bytes)", last.getIndex(), bytes.length);
        return last.getIndex();
    }

    /** Ratis' read-only queries are the followers' long polls. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return followServer.query(request);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        leaderId = newLeaderId;
    }

    /** The leader this replica last heard of, or null. */
    public RaftPeerId leaderId() {
        return leaderId;
    }

    @Override
    public void close() throws IOException {
        followServer.close();
        super.close();
    }
}
