package io.sluice.server.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into Kafka frames (4-byte big-endian size, then the request). A negative
 * size or one above {@code socket.request.max.bytes} closes the connection, as Kafka's
 * {@code NetworkReceive} does, with one log line. Owned by one channel's pipeline.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final int requestBytesMax;

    FrameDecoder(int requestBytesMax) {
        this.requestBytesMax = requestBytesMax;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            if (size < 0 || size > requestBytesMax) {
                LOG.warn("Closing connection from {}: invalid frame size {} (socket.request.max.bytes={})",
                        ctx.channel().remoteAddress(), size, requestBytesMax);
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() < 4 + size) {
                return;
            }
            in.skipBytes(4);
            out.add(in.readRetainedSlice(size));
        }
    }
}
