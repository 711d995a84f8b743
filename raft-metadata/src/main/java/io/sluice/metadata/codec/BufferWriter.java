package io.sluice.metadata.codec;

import io.sluice.metadata.image.PartitionImage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Big-endian primitive writer over a growable array: the one encoder for commands, results,
 * log entries and snapshots. Maps are written in sorted key order so equal content gives equal
 * bytes. Not thread-safe; one per encode.
 */
public final class BufferWriter {
    private byte[] buf;
    private int pos;

    public BufferWriter(int initialBytes) {
        buf = new byte[Math.max(16, initialBytes)];
    }

    public BufferWriter() {
        this(256);
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) pos + more);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("record too large: " + want + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    public BufferWriter i8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public BufferWriter bool(boolean v) {
        return i8(v ? 1 : 0);
    }

    public BufferWriter i16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public BufferWriter i32(int v) {
        ensure(4);
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public BufferWriter i64(long v) {
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    /** Length-prefixed (i32, -1 = null) UTF-8. */
    public BufferWriter string(String s) {
        if (s == null) {
            return i32(-1);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        i32(b.length);
        return bytes(b);
    }

    public BufferWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    /** UUID as two i64; null as two zero longs is not allowed — use {@link #nullableUuid}. */
    public BufferWriter uuid(UUID id) {
        i64(id.getMostSignificantBits());
        return i64(id.getLeastSignificantBits());
    }

    public BufferWriter nullableUuid(UUID id) {
        bool(id != null);
        return id == null ? this : uuid(id);
    }

    public BufferWriter intArray(int[] a) {
        i32(a.length);
        for (int v : a) {
            i32(v);
        }
        return this;
    }

    public BufferWriter intList(List<Integer> a) {
        i32(a.size());
        for (int v : a) {
            i32(v);
        }
        return this;
    }

    public BufferWriter stringMap(Map<String, String> m) {
        i32(m.size());
        for (Map.Entry<String, String> e : new TreeMap<>(m).entrySet()) {
            string(e.getKey());
            string(e.getValue());
        }
        return this;
    }

    public BufferWriter partition(PartitionImage p) {
        i32(p.partitionId());
        intArray(p.replicas());
        intArray(p.isr());
        i32(p.leader());
        i32(p.leaderEpoch());
        return i32(p.partitionEpoch());
    }

    public int position() {
        return pos;
    }

    /** Overwrites 4 bytes at {@code at} (for lengths and checksums known only at the end). */
    public void putI32At(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }
}
