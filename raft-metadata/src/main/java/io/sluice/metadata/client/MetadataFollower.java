package io.sluice.metadata.client;

import io.sluice.metadata.codec.BufferReader;
import io.sluice.metadata.codec.FollowProtocol;
import io.sluice.metadata.codec.SnapshotCodec;
import io.sluice.metadata.image.ImagePublisher;
import io.sluice.metadata.image.MetadataDelta;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.statemachine.MetadataApplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * How a broker that is not a voter follows the metadata: a long poll ({@link FollowProtocol}) to
 * the quorum leader for the entries after its offset, applied locally by the same
 * {@link MetadataApplier} the voters run, or a whole image when it is too far behind. Chosen over
 * a Ratis listener peer because it needs no membership change per broker, no Raft log on the
 * broker's disk, and any voter that becomes leader can serve it (see the module README).
 *
 * <p>Owns one thread (daemon) and one Ratis client. Thread-safe start/close.
 */
public final class MetadataFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataFollower.class);
    private static final int FETCH_BYTES_MAX = 8 << 20;
    private static final int BACKOFF_MS = 100;

    private final RaftClient raft;
    private final ImagePublisher publisher;
    private final int waitMs;
    private final Thread thread;
    private volatile boolean closed;

    public MetadataFollower(RaftGroup group, ImagePublisher publisher, int requestTimeoutMs, int waitMs, int nodeId) {
        // Each attempt must outlive the long-poll wait.
        this.raft = RatisMetadataClient.newRaftClient(group, requestTimeoutMs + waitMs, 3);
        this.publisher = publisher;
        this.waitMs = waitMs;
        this.thread = new Thread(this::run, "metadata-follower-" + nodeId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        while (!closed) {
            try {
                long after = publisher.image().offset();
                RaftClientReply reply = raft.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(
                    FollowProtocol.fetch(after, waitMs, FETCH_BYTES_MAX))));
                if (!reply.isSuccess()) {
                    throw new IOException("fetch failed", reply.getException());
                }
                apply(reply.getMessage().getContent().toByteArray());
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.debug("metadata fetch failed; retrying", e);
                try {
                    Thread.sleep(BACKOFF_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void apply(byte[] response) {
        BufferReader r = new BufferReader(response);
        byte kind = r.i8();
        if (kind == FollowProtocol.RESPONSE_SNAPSHOT) {
            byte[] snap = new byte[response.length - 1];
            System.arraycopy(response, 1, snap, 0, snap.length);
            MetadataImage image = SnapshotCodec.decode(snap);
            LOG.info("metadata follower loaded image at offset {}", image.offset());
            publisher.publish(image, MetadataDelta.replaced(image.offset()));
            return;
        }
        if (kind != FollowProtocol.RESPONSE_ENTRIES) {
            throw new IllegalStateException("unexpected fetch response kind " + kind);
        }
        List<FollowProtocol.Entry> entries = FollowProtocol.readEntries(r);
        for (FollowProtocol.Entry e : entries) {
            MetadataImage image = publisher.image();
            if (e.offset() <= image.offset()) {
                continue;
            }
            MetadataApplier.Applied a = MetadataApplier.applyEntry(image, e.offset(), e.term(), e.bytes());
            publisher.publish(a.image(), a.delta());
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            raft.close();
        } catch (IOException e) {
            LOG.warn("closing follower client failed", e);
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
