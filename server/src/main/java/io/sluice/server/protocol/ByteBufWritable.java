package io.sluice.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A kafka-clients {@link Writable} that writes into Netty buffers and adds record sets larger than
 * {@link #ZERO_COPY_MIN_BYTES} as wrapped components instead of copying them: a fetch response
 * carries slices of the segment mappings straight to the socket (the same idea as Kafka's
 * {@code SendBuilder}). Small record sets are copied because a component costs more than a few
 * hundred bytes of memcpy. One instance per response, confined to the thread encoding it.
 */
final class ByteBufWritable implements Writable {

    static final int ZERO_COPY_MIN_BYTES = 4096;

    private final ByteBufAllocator alloc;
    private final CompositeByteBuf out;
    private ByteBuf current;

    ByteBufWritable(ByteBufAllocator alloc, int initialBytes) {
        this.alloc = alloc;
        this.out = alloc.compositeBuffer(Integer.MAX_VALUE);
        this.current = alloc.buffer(Math.max(64, initialBytes));
    }

    /** @return the encoded bytes; the writable must not be used afterwards. */
    ByteBuf finish() {
        if (out.numComponents() == 0) {
            out.release();
            ByteBuf result = current;
            current = null;
            return result;
        }
        if (current.isReadable()) {
            out.addComponent(true, current);
        } else {
            current.release();
        }
        current = null;
        return out;
    }

    /** Releases everything written so far (encoding failed). */
    void discard() {
        if (current != null) {
            current.release();
            current = null;
        }
        out.release();
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
