package io.sluice.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;
import io.netty.util.ReferenceCountUtil;
import io.sluice.storage.log.FileSlice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A kafka-clients {@link Writable} that writes into Netty buffers without copying record sets:
 * a record set larger than {@link #ZERO_COPY_MIN_BYTES} is added as a wrapped component (a
 * slice of a segment mapping goes to the socket as it is, the idea of Kafka's {@code SendBuilder}),
 * and a {@link FileSliceRecords} becomes a Netty file region, sent with {@code sendfile}. Small
 * record sets are copied because a component costs more than a few hundred bytes of memcpy. The
 * result is a list of parts, buffers and file regions, to write in order. One instance per
 * response, confined to the thread encoding it.
 */
final class ByteBufWritable implements Writable {

    static final int ZERO_COPY_MIN_BYTES = 4096;

    private final ByteBufAllocator alloc;
    /** Finished parts: runs of buffers, each one buffer, and file regions. */
    private final List<Object> parts = new ArrayList<>(1);
    private CompositeByteBuf out;
    private ByteBuf current;

    ByteBufWritable(ByteBufAllocator alloc, int initialBytes) {
        this.alloc = alloc;
        this.out = alloc.compositeBuffer(Integer.MAX_VALUE);
        this.current = alloc.buffer(Math.max(64, initialBytes));
    }

    /** @return the encoded parts, in order; the writable must not be used afterwards. */
    List<Object> finish() {
        endRun();
        return parts;
    }

    /** Releases everything written so far (encoding failed). */
    void discard() {
        if (current != null) {
            current.release();
            out.release();
            current = null;
        }
        parts.forEach(ReferenceCountUtil::release);
        parts.clear();
    }

    /** Moves the buffers written since the last file region into the parts, as one buffer. */
    private void endRun() {
        ByteBuf run;
        if (out.numComponents() == 0) {
            out.release();
            run = current;
        } else {
            if (current.isReadable()) {
                out.addComponent(true, current);
            } else {
                current.release();
            }
            run = out;
        }
        if (run.isReadable()) {
            parts.add(run);
        } else {
            run.release();
        }
        current = null;
        out = null;
    }

    @Override public void writeByte(byte val) { current.writeByte(val); }
    @Override public void writeShort(short val) { current.writeShort(val); }
    @Override public void writeInt(int val) { current.writeInt(val); }
    @Override public void writeLong(long val) { current.writeLong(val); }
    @Override public void writeDouble(double val) { current.writeDouble(val); }
    @Override public void writeByteArray(byte[] arr) { current.writeBytes(arr); }
    @Override public void writeByteBuffer(ByteBuffer buf) { current.writeBytes(buf.duplicate()); }

    @Override
    public void writeUnsignedVarint(int value) {
        while ((value & 0xffffff80) != 0) {
            current.writeByte((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        current.writeByte(value);
    }

    @Override
    public void writeVarint(int value) {
        writeUnsignedVarint((value << 1) ^ (value >> 31));
    }

    @Override
    public void writeVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & 0xffffffffffffff80L) != 0L) {
            current.writeByte(((int) v & 0x7f) | 0x80);
            v >>>= 7;
        }
        current.writeByte((int) v);
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof FileSliceRecords file) {
            FileSlice slice = file.slice();
            endRun();
            parts.add(new DefaultFileRegion(slice.channel(), slice.position(), slice.sizeInBytes()));
            out = alloc.compositeBuffer(Integer.MAX_VALUE);
            current = alloc.buffer(256);
            return;
        }
        if (!(records instanceof MemoryRecords memory)) {
            throw new IllegalStateException("unsupported record set " + records.getClass().getName());
        }
        ByteBuffer buf = memory.buffer().duplicate();
        if (buf.remaining() < ZERO_COPY_MIN_BYTES) {
            current.writeBytes(buf);
            return;
        }
        if (current.isReadable()) {
            out.addComponent(true, current);
        } else {
            current.release();
        }
        out.addComponent(true, Unpooled.wrappedBuffer(buf));
        current = alloc.buffer(256);
    }
}
