package io.sluice.metadata.codec;

import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.image.PartitionImage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Bounds-checked big-endian reader, the counterpart of {@link BufferWriter}. Every length and count
 * is checked against the bytes left and against a named limit before anything is allocated, so a
 * malformed record costs a {@link MalformedRecordException}, never an OutOfMemoryError. Not
 * thread-safe.
 */
public final class BufferReader {
    /** Longest string accepted (Kafka strings are at most a short's worth). */
    public static final int STRING_BYTES_MAX = 32_767;

    private final byte[] buf;
    private final int end;
    private int pos;

    public BufferReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public BufferReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    private void need(int n) {
        if (n < 0 || end - pos < n) {
            throw malformed("record truncated: need " + n + " bytes at " + pos + ", have " + (end - pos));
        }
    }

    public static MalformedRecordException malformed(String message) {
        return new MalformedRecordException(ErrorCodes.INVALID_REQUEST, message);
    }

    public int remaining() {
        return end - pos;
    }

    public int position() {
        return pos;
    }

    public byte i8() {
        need(1);
        return buf[pos++];
    }

    public boolean bool() {
        byte b = i8();
        if (b != 0 && b != 1) {
            throw malformed("bad boolean " + b);
        }
        return b == 1;
    }

    public short i16() {
        need(2);
        short v = (short) (((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff));
        pos += 2;
        return v;
    }

    public int i32() {
        need(4);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
            | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long i64() {
        return ((long) i32() << 32) | (i32() & 0xffffffffL);
    }

    public String string() {
        int len = i32();
        if (len == -1) {
            return null;
        }
        if (len < 0 || len > STRING_BYTES_MAX) {
            throw malformed("string length " + len + " out of range [0, " + STRING_BYTES_MAX + "]");
        }
        need(len);
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    public String nonNullString(String what) {
        String s = string();
        if (s == null) {
            throw malformed(what + " is null");
        }
        return s;
    }

    public byte[] bytes(int len) {
        need(len);
        byte[] b = new byte[len];
        System.arraycopy(buf, pos, b, 0, len);
        pos += len;
        return b;
    }

    public UUID uuid() {
        return new UUID(i64(), i64());
    }

    public UUID nullableUuid() {
        return bool() ? uuid() : null;
    }

    /**
     * Reads an element count: non-negative, at most {@code max}, and each element needs at least
     * {@code minElementBytes}, so the count cannot exceed what the remaining bytes could hold.
     */
    public int count(String what, int max, int minElementBytes) {
        int n = i32();
        if (n < 0 || n > max) {
            throw malformed(what + " count " + n + " out of range [0, " + max + "]");
        }
        if ((long) n * minElementBytes > remaining()) {
            throw malformed(what + " count " + n + " exceeds the " + remaining() + " bytes left");
        }
        return n;
    }

    public int[] intArray(String what, int max) {
        int n = count(what, max, 4);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i32();
        }
        return a;
    }

    public List<Integer> intList(String what, int max) {
        int n = count(what, max, 4);
        List<Integer> a = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            a.add(i32());
        }
        return a;
    }

    public Map<String, String> stringMap(String what, int max) {
        int n = count(what, max, 8);
        Map<String, String> m = new HashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            String k = nonNullString(what + " key");
            if (m.put(k, string()) != null) {
                throw malformed(what + ": duplicate key " + k);
            }
        }
        return m;
    }

    public PartitionImage partition(int replicasMax) {
        int id = i32();
        int[] replicas = intArray("replicas", replicasMax);
        int[] isr = intArray("isr", replicasMax);
        return new PartitionImage(id, replicas, isr, i32(), i32(), i32());
    }

    /** Fails unless every byte was consumed (trailing garbage is malformed too). */
    public void expectEnd(String what) {
        if (pos != end) {
            throw malformed(what + ": " + (end - pos) + " trailing bytes");
        }
    }
}
