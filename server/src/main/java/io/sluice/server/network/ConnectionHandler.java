package io.sluice.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.sluice.server.metrics.RequestMetrics;
import io.sluice.server.protocol.KafkaCodec;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.server.protocol.ParseResult;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: splits the byte stream into frames (4-byte size, then the request),
 * parses them, hands requests to the dispatcher, and writes responses in request order however
 * the handlers complete (clients pipeline up to five requests, an acks=0 producer many more).
 * A frame size below zero or above {@code socket.request.max.bytes} closes the connection, as
 * Kafka does, with one log line.
 *
 * <p>Backpressure: while {@code inflightRequestsMax} requests wait for their response, or the
 * socket's outbound buffer is above its high-water mark (a slow reader), no further frame is
 * taken from the buffer and the channel stops reading, so a client cannot make the broker buffer
 * more than one read's worth. Confined to the channel's event loop; completions from other
 * threads hop onto it.
 *
 * <p>Quota throttling (KIP-219): a response carrying {@code muteAfterSendMs} mutes the connection
 * (no read, no frame taken) from its write until that long after it was sent.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    /** The api key of a slot that is not a request the metrics count (an unsupported ApiVersions). */
    private static final short NOT_COUNTED = -1;

    /** A request waiting for its turn to be answered. */
    private static final class Slot {
        final int correlationId;
        final short responseHeaderVersion;
        final short apiKey;
        final short apiVersion;
        ByteBuf frame;
        KafkaResponse response;
        Throwable failure;
        boolean done;
        /** System.nanoTime() readings for RequestMetrics. */
        final long receivedNs;
        long dispatchedNs;
        long returnedNs;
        long readyNs;

        Slot(int correlationId, short responseHeaderVersion, short apiKey, short apiVersion, ByteBuf frame,
             long receivedNs) {
            this.correlationId = correlationId;
            this.responseHeaderVersion = responseHeaderVersion;
            this.apiKey = apiKey;
            this.apiVersion = apiVersion;
            this.frame = frame;
            this.receivedNs = receivedNs;
        }
    }

    private final KafkaCodec codec;
    private final RequestDispatcher dispatcher;
    private final RequestMetrics metrics;
    private final RequestDispatcher.ClientInfo client;
    private final int inflightRequestsMax;
    private final int requestBytesMax;
    private final ArrayDeque<Slot> inflight = new ArrayDeque<>();
    /** Bytes received and not yet taken as frames. */
    private ByteBuf pending;
    private boolean takingFrames;
    private ChannelHandlerContext ctx;
    private boolean closed;
    /** Throttles in force (KIP-219): while above zero the connection reads nothing. */
    private int mutes;
    /** When the last bytes arrived: a frame taken from the buffer counts as received then. */
    private long lastReadNs;

    ConnectionHandler(KafkaCodec codec, RequestDispatcher dispatcher, RequestMetrics metrics,
                      RequestDispatcher.ClientInfo client, int inflightRequestsMax, int requestBytesMax) {
        this.requestBytesMax = requestBytesMax;
        this.codec = codec;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.client = client;
        this.inflightRequestsMax = inflightRequestsMax;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (closed) {
            in.release();
            return;
        }
        lastReadNs = System.nanoTime();
        accumulate(in);
        takeFrames();
        updateAutoRead();
    }

    private void accumulate(ByteBuf in) {
        if (pending == null) {
            pending = in;
        } else if (pending.refCnt() == 1 && pending.writableBytes() >= in.readableBytes()) {
            pending.writeBytes(in);
            in.release();
        } else {
            // Room for the whole frame being assembled, once: a 1 MiB produce request arrives in
            // ~64 KiB reads, and growing by each read copied it over and over (O(n²), measured as
            // a tenth of the broker's produce CPU). The size is checked in takeFrames; clamp it here.
            int needed = pending.readableBytes() + in.readableBytes();
            int frameBytes = pending.readableBytes() >= 4 ? pending.getInt(pending.readerIndex()) : 0;
            int capacity = Math.max(needed, 4 + Math.min(Math.max(frameBytes, 0), requestBytesMax));
            ByteBuf merged = ctx.alloc().buffer(capacity);
            merged.writeBytes(pending).writeBytes(in);
            pending.release();
            in.release();
            pending = merged;
        }
    }

    /** Takes whole frames from the buffer while the connection may have more requests in flight. */
    private void takeFrames() {
        if (takingFrames) {
            return; // re-entered from a request that completed synchronously; the outer loop goes on
        }
        takingFrames = true;
        try {
            takeFramesLoop();
        } finally {
            takingFrames = false;
        }
    }

    private void takeFramesLoop() {
        while (!closed && mutes == 0 && pending != null && inflight.size() < inflightRequestsMax
                && ctx.channel().isWritable()) {
            if (pending.readableBytes() < 4) {
                break;
            }
            int size = pending.getInt(pending.readerIndex());
            if (size < 0 || size > requestBytesMax) {
                closeFor("invalid frame size " + size + " (socket.request.max.bytes=" + requestBytesMax + ")");
                break;
            }
            if (pending.readableBytes() < 4 + size) {
                break;
            }
            pending.skipBytes(4);
            onFrame(pending.readRetainedSlice(size));
        }
        if (pending != null && !pending.isReadable()) {
            pending.release();
            pending = null;
        }
    }

    private void onFrame(ByteBuf frame) {
        ByteBuffer nio = frame.nioBufferCount() == 1 ? frame.nioBuffer() : copy(frame);
        ParseResult result = codec.parse(nio);
        if (result instanceof ParseResult.Invalid invalid) {
            frame.release();
            closeFor(invalid.reason());
        } else if (result instanceof ParseResult.UnsupportedApiVersions unsupported) {
            frame.release();
            Slot slot = new Slot(unsupported.correlationId(), (short) 0, NOT_COUNTED, (short) 0, null, lastReadNs);
            inflight.add(slot);
            complete(slot, dispatcher.unsupportedApiVersions(), null);
        } else {
            KafkaRequest request = ((ParseResult.Parsed) result).request();
            Slot slot = new Slot(request.correlationId(), request.responseHeaderVersion(), request.apiKey(),
                    request.apiVersion(), frame, lastReadNs);
            inflight.add(slot);
            CompletionStage<KafkaResponse> stage;
            slot.dispatchedNs = System.nanoTime();
            try {
                stage = dispatcher.dispatch(request, client);
            } catch (RuntimeException e) {
                complete(slot, null, e);
                return;
            }
            slot.returnedNs = System.nanoTime();
            stage.whenComplete((response, error) -> {
                if (ctx.executor().inEventLoop()) {
                    complete(slot, response, error);
                } else {
                    ctx.executor().execute(() -> complete(slot, response, error));
                }
            });
        }
    }

    private static ByteBuffer copy(ByteBuf frame) {
        ByteBuffer b = ByteBuffer.allocate(frame.readableBytes());
        frame.getBytes(frame.readerIndex(), b);
        return b.flip();
    }

    private void complete(Slot slot, KafkaResponse response, Throwable failure) {
        if (response == null && failure == null) {
            failure = new IllegalStateException("handler completed without a response");
        }
        slot.response = response;
        slot.failure = failure;
        slot.done = true;
        slot.readyNs = System.nanoTime();
        if (slot.returnedNs == 0) {
            slot.returnedNs = slot.readyNs; // dispatch threw before returning: no remote time
        }
        if (slot.frame != null) {
            slot.frame.release();
            slot.frame = null;
        }
        if (closed) {
            if (response != null) {
                response.onWritten().run();
            }
            return;
        }
        boolean wrote = false;
        while (!inflight.isEmpty() && inflight.peek().done) {
            Slot head = inflight.poll();
            if (head.failure != null) {
                closeFor("request failed: " + head.failure);
                return;
            }
            if (!head.response.hasBody()) {
                muteFor(head.response.muteAfterSendMs(), true);
                head.response.onWritten().run();
                record(head, head.readyNs, head.readyNs);
                continue;
            }
            List<Object> parts;
            try {
                parts = codec.encodeResponse(ctx.alloc(), head.correlationId, head.responseHeaderVersion,
                        head.response.body(), head.apiVersion);
            } catch (RuntimeException e) {
                head.response.onWritten().run();
                closeFor("response encoding failed: " + e);
                return;
            }
            Runnable onWritten = head.response.onWritten();
            int muteMs = head.response.muteAfterSendMs();
            muteFor(muteMs, false);
            long writeNs = System.nanoTime();
            ChannelFuture last = null;
            for (Object part : parts) {
                last = ctx.write(part);
            }
            // Writes complete in order: the last one means every part left (or the connection died).
            last.addListener(f -> {
                unmuteAfter(muteMs);
                onWritten.run();
                if (f.isSuccess()) {
                    record(head, writeNs, System.nanoTime());
                }
            });
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        takeFrames();
        updateAutoRead();
    }

    private void record(Slot slot, long writeNs, long writtenNs) {
        if (slot.apiKey != NOT_COUNTED) {
            metrics.record(slot.apiKey, slot.apiVersion, slot.receivedNs, slot.dispatchedNs, slot.returnedNs,
                    slot.readyNs, writeNs, writtenNs, slot.response.body());
        }
    }

    /** Mutes the connection for a throttle; {@code sent}: the throttle's time starts now, else once written. */
    private void muteFor(int ms, boolean sent) {
        if (ms > 0) {
            mutes++;
            if (sent) {
                unmuteAfter(ms);
            }
        }
    }

    private void unmuteAfter(int ms) {
        if (ms > 0) {
            ctx.executor().schedule(() -> {
                mutes--;
                takeFrames();
                updateAutoRead();
            }, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void updateAutoRead() {
        boolean read = !closed && mutes == 0 && inflight.size() < inflightRequestsMax && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void closeFor(String reason) {
        if (closed) {
            return;
        }
        LOG.warn("Closing connection {} from {}: {}", client.connectionId(), client.remoteAddress(), reason);
        closed = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        takeFrames();
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && inflight.isEmpty()) {
            LOG.debug("Closing idle connection {} from {}", client.connectionId(), client.remoteAddress());
            closed = true;
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        for (Slot s : inflight) {
            if (s.done && s.response != null) {
                s.response.onWritten().run();
            }
        }
        inflight.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closed) {
            LOG.info("Connection {} from {} failed: {}", client.connectionId(), client.remoteAddress(), cause.toString());
        }
        closed = true;
        ctx.close();
    }
}
