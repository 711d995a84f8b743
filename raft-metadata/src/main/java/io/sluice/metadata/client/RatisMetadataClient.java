package io.sluice.metadata.client;

import io.sluice.metadata.codec.BufferReader;
import io.sluice.metadata.codec.CommandCodec;
import io.sluice.metadata.codec.FollowProtocol;
import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.codec.ResultCodec;
import io.sluice.metadata.command.CommandResult;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.image.ImagePublisher;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.MetadataListener;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link MetadataClient} over a Ratis client: commands go to the quorum leader (Ratis follows leader
 * changes) with a bounded retry policy ({@code attemptsMax} attempts, {@link #RETRY_SLEEP_MS} apart,
 * each bounded by {@code requestTimeoutMs}) and a bound on the whole submit. Thread-safe; owned and
 * closed by the node.
 */
public final class RatisMetadataClient implements MetadataClient, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RatisMetadataClient.class);
    /** Pause between attempts: short, because a Ratis election takes a few hundred ms. */
    public static final int RETRY_SLEEP_MS = 50;

    private final CommitStats commitStats = new CommitStats();
    private final RaftGroup group;
    private final int requestTimeoutMs;
    private final int attemptsMax;
    private final ImagePublisher publisher;
    private final int submitTimeoutMs;
    private volatile RaftClient raft;
    private volatile boolean closed;

    public RatisMetadataClient(RaftGroup group, ImagePublisher publisher, int requestTimeoutMs, int submitTimeoutMs,
                               int attemptsMax) {
        this.group = group;
        this.requestTimeoutMs = requestTimeoutMs;
        this.attemptsMax = attemptsMax;
        this.raft = newRaftClient(group, requestTimeoutMs, attemptsMax);
        this.publisher = publisher;
        this.submitTimeoutMs = submitTimeoutMs;
    }

    /**
     * Ratis' ordered async client closes its sliding window for good once a request exhausts its
     * retries; every later request then fails with AlreadyClosedException. Replace such a client.
     */
    private synchronized RaftClient renew(RaftClient broken) {
        if (raft == broken && !closed) {
            LOG.info("replacing Ratis client after its request window closed");
            try {
                broken.close();
            } catch (IOException e) {
                LOG.debug("closing broken Ratis client", e);
            }
            raft = newRaftClient(group, requestTimeoutMs, attemptsMax);
        }
        return raft;
    }

    /** A Ratis client with a bounded retry policy (never Ratis' retry-forever default). */
    public static RaftClient newRaftClient(RaftGroup group, int requestTimeoutMs, int attemptsMax) {
        RaftProperties props = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(requestTimeoutMs, TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder()
            .setProperties(props)
            .setRaftGroup(group)
            .setClientRpc(new GrpcFactory(new Parameters()).newRaftClientRpc(ClientId.randomId(), props))
            .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attemptsMax,
                TimeDuration.valueOf(RETRY_SLEEP_MS, TimeUnit.MILLISECONDS)))
            .build();
    }

    @Override
    public CommitStats commitStats() {
        return commitStats;
    }

    @Override
    public <R extends CommandResult> CompletableFuture<R> submit(MetadataCommand<R> command) {
        long startNs = System.nanoTime();
        byte[] bytes = CommandCodec.encode(command);
        return submitBytes(bytes).thenCompose(reply -> {
            if (reply.failure() != null) {
                commitStats.onFailed();
                return CompletableFuture.completedFuture(command.failed(reply.failureCode(), reply.failure()));
            }
            commitStats.onCommitted(System.nanoTime() - startNs);
            R result;
            try {
                result = ResultCodec.decode(command, reply.result());
            } catch (MalformedRecordException e) {
                return CompletableFuture.completedFuture(command.failed(ErrorCodes.UNKNOWN_SERVER_ERROR,
                    "undecodable result: " + e.getMessage()));
            }
            long leftMs = submitTimeoutMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            // Read-your-writes: wait (bounded) until this node's image has applied the entry.
            return publisher.awaitOffset(reply.logIndex())
                .orTimeout(Math.max(1, leftMs), TimeUnit.MILLISECONDS)
                .handle((img, e) -> result);
        });
    }

    /** Raw submit of already-encoded command bytes (also used to test malformed input). */
    public CompletableFuture<RawReply> submitBytes(byte[] commandBytes) {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(submitTimeoutMs);
        Message message = Message.valueOf(ByteString.copyFrom(commandBytes));
        RaftClient client = raft;
        return client.async().send(message)
            .handle((reply, e) -> {
                if (e != null && unwrap(e) instanceof AlreadyClosedException && !closed) {
                    return renew(client).async().send(message);
                }
                return e != null ? CompletableFuture.<RaftClientReply>failedFuture(e)
                    : CompletableFuture.completedFuture(reply);
            })
            .thenCompose(f -> f)
            .orTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())), TimeUnit.MILLISECONDS)
            .handle((reply, e) -> {
                if (e != null) {
                    return RawReply.failure(codeFor(e), describe(e));
                }
                if (!reply.isSuccess()) {
                    Exception ex = reply.getException();
                    return RawReply.failure(codeFor(ex), describe(ex));
                }
                return new RawReply(reply.getMessage().getContent().toByteArray(), reply.getLogIndex(), (short) 0, null);
            });
    }

    /** What came back for one submit. */
    public record RawReply(byte[] result, long logIndex, short failureCode, String failure) {
        static RawReply failure(short code, String message) {
            return new RawReply(null, -1, code, message);
        }
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static short codeFor(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof TimeoutException) {
            return ErrorCodes.REQUEST_TIMED_OUT;
        }
        if (t instanceof NotLeaderException || t instanceof RaftRetryFailureException || t instanceof IOException) {
            return ErrorCodes.NOT_CONTROLLER;
        }
        return ErrorCodes.UNKNOWN_SERVER_ERROR;
    }

    private static String describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof TimeoutException) {
            return "metadata quorum did not commit the command in time";
        }
        return "metadata quorum unavailable: " + t;
    }

    /** The quorum leader's applied offset (a linearizable read through the leader), or -1 on failure. */
    public long leaderOffset() {
        try {
            RaftClientReply reply = raft.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(FollowProtocol.position())));
            if (!reply.isSuccess()) {
                return -1;
            }
            BufferReader r = new BufferReader(reply.getMessage().getContent().toByteArray());
            if (r.i8() != FollowProtocol.RESPONSE_POSITION) {
                return -1;
            }
            return r.i64();
        } catch (IOException | RuntimeException e) {
            LOG.debug("position query failed", e);
            return -1;
        }
    }

    /** The leader the Ratis client currently addresses, or null. */
    public Integer leaderId() {
        var id = raft.getLeaderId();
        return id == null ? null : Integer.valueOf(id.toString());
    }

    @Override
    public MetadataImage image() {
        return publisher.image();
    }

    @Override
    public CompletableFuture<MetadataImage> awaitOffset(long offset) {
        return publisher.awaitOffset(offset);
    }

    @Override
    public void subscribe(MetadataListener listener) {
        publisher.subscribe(listener);
    }

    @Override
    public void unsubscribe(MetadataListener listener) {
        publisher.unsubscribe(listener);
    }

    @Override
    public void close() {
        closed = true;
        try {
            raft.close();
        } catch (IOException e) {
            LOG.warn("closing Ratis client failed", e);
        }
    }
}
