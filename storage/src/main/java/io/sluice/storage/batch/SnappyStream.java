package io.sluice.storage.batch;

import org.xerial.snappy.Snappy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads a batch's snappy-compressed records as kafka-clients does (xerial snappy-java 1.1.10.7's
 * {@code SnappyInputStream}, same library): the xerial framing (16-byte header: magic, version,
 * compatible version; then chunks, each a big-endian size and one raw snappy block; a repeated
 * header between chunks is skipped, as for concatenated streams), or, without the magic, the
 * whole input as one raw snappy block. Trailing 1..3 bytes after the last chunk end the stream,
 * as in snappy-java.
 *
 * <p>Why not {@code SnappyInputStream} itself: it allocates {@code new byte[Snappy.uncompressedLength(chunk)]}
 * from the chunk's own varint, up to 2 GiB for a few bytes of input, before snappy finds the
 * block corrupt (an OutOfMemoryError, answered with no error code). Here the varint is read first
 * ({@link Snappy#uncompressedLength(byte[], int, int)} reads only it) and a chunk claiming more than
 * its compressed bytes can expand to ({@link #uncompressedMax}) is refused as a corrupt stream.
 * Output buffers up to {@link #KEPT_BYTES} are kept from batch to batch; a bigger chunk (legal, at most
 * {@link #uncompressedMax} of the batch) gets a buffer for that chunk only.
 *
 * <p>Not thread-safe: one per {@link Decompression}, re-pointed with {@link #open}.
 */
final class SnappyStream extends InputStream {

    /**
     * Snappy's largest expansion: a copy op of 3 bytes (tag + 2-byte offset) emits at most 64 bytes;
     * a 2-byte copy at most 11, a 5-byte copy 64, and literals emit less than they take. So a block of
     * {@code n} bytes holds at most {@code n * 64 / 3} bytes (its length varint included in {@code n}).
     */
    private static final int EXPANSION_MAX_NUMERATOR = 64;
    private static final int EXPANSION_MAX_DENOMINATOR = 3;
    /** Slack on the bound above (it is already generous: the varint and first literal expand less). */
    private static final int EXPANSION_SLACK_BYTES = 64;
    /**
     * Buffers kept between batches: Kafka's producer writes 32 KiB chunks (SnappyOutputStream's
     * default block size), compressing to at most ~38 KiB.
     */
    static final int KEPT_BYTES = 64 * 1024;

    private static final byte[] MAGIC = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    private static final int HEADER_BYTES = 16;
    private static final int MAGIC_HEAD = 0x82534E41; // the magic's first 4 bytes read as a chunk size
    private static final int MINIMUM_COMPATIBLE_VERSION = 1;

    private ByteBuffer in;
    private int inPos;
    private int inEnd;
    private boolean finishedReading;
    private byte[] keptCompressed;
    private byte[] keptUncompressed;
    private byte[] uncompressed;
    private int cursor;
    private int limit;
    private final byte[] oneByte = new byte[1];

    /** Reads the stream header of {@code [offset, offset + length)} of {@code buffer}. */
    SnappyStream open(ByteBuffer buffer, int offset, int length) throws IOException {
        in = buffer;
        inPos = offset;
        inEnd = offset + length;
        finishedReading = false;
        uncompressed = null;
        cursor = 0;
        limit = 0;
        if (length == 0) {
            throw new IOException("cannot decompress an empty snappy stream");
        }
        if (length < HEADER_BYTES || !magicAt(offset)) {
            decompress(offset, length); // raw snappy (Snappy.compress), as SnappyInputStream.readFully
            inPos = inEnd;
            finishedReading = true;
            return this;
        }
        inPos += HEADER_BYTES; // snappy-java checks only the magic of the first header
        return this;
    }

    /** The most bytes a snappy block of {@code compressedBytes} can decompress to. */
    static long uncompressedMax(int compressedBytes) {
        return (long) compressedBytes * EXPANSION_MAX_NUMERATOR / EXPANSION_MAX_DENOMINATOR + EXPANSION_SLACK_BYTES;
    }

    private boolean magicAt(int at) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (in.get(at + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean nextChunk() throws IOException {
        while (true) {
            if (finishedReading) {
                return false;
            }
            cursor = 0;
            limit = 0;
            if (inEnd - inPos < 4) {
                inPos = inEnd;
                finishedReading = true;
                return false;
            }
            int chunkSize = bigEndianInt(inPos);
            inPos += 4;
            if (chunkSize == MAGIC_HEAD) {
                // another stream's header (concatenated streams)
                if (inEnd - inPos < HEADER_BYTES - 4) {
                    throw new IOException("insufficient header size in a concatenated snappy block");
                }
                boolean magic = magicAt(inPos - 4);
                int version = bigEndianInt(inPos + 4);
                inPos += HEADER_BYTES - 4;
                if (!magic) {
                    finishedReading = true; // snappy-java ends the stream there
                    return false;
                }
                if (version < MINIMUM_COMPATIBLE_VERSION) {
                    throw new IOException("snappy stream of an incompatible codec version " + version);
                }
                continue;
            }
            if (chunkSize < 0 || chunkSize > inEnd - inPos) {
                throw new IOException("snappy chunk size " + chunkSize + " beyond the compressed bytes");
            }
            decompress(inPos, chunkSize);
            inPos += chunkSize;
            return true;
        }
    }

    /** Big-endian whatever the caller's buffer order is. */
    private int bigEndianInt(int at) {
        int v = in.getInt(at);
        return in.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    private void decompress(int offset, int length) throws IOException {
        byte[] src;
        int srcOffset;
        if (in.hasArray()) {
            src = in.array();
            srcOffset = in.arrayOffset() + offset;
        } else {
            src = length <= KEPT_BYTES ? kept(true) : new byte[length];
            in.get(offset, src, 0, length);
            srcOffset = 0;
        }
        int uncompressedLength = Snappy.uncompressedLength(src, srcOffset, length);
        if (uncompressedLength < 0 || uncompressedLength > uncompressedMax(length)) {
            throw new IOException("snappy block of " + length + " bytes claims " + Integer.toUnsignedString(uncompressedLength)
                    + " uncompressed bytes, more than snappy can expand it to");
        }
        byte[] out = uncompressedLength <= KEPT_BYTES ? kept(false) : new byte[uncompressedLength];
        int n = Snappy.uncompress(src, srcOffset, length, out, 0);
        if (n != uncompressedLength) {
            throw new IOException("snappy block decompressed to " + n + " bytes, not the " + uncompressedLength + " it claims");
        }
        uncompressed = out;
        cursor = 0;
        limit = n;
    }

    private byte[] kept(boolean compressed) {
        if (compressed) {
            if (keptCompressed == null) {
                keptCompressed = new byte[KEPT_BYTES];
            }
            return keptCompressed;
        }
        if (keptUncompressed == null) {
            keptUncompressed = new byte[KEPT_BYTES];
        }
        return keptUncompressed;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int written = 0;
        while (written < len) {
            if (cursor >= limit) {
                if (nextChunk()) {
                    continue;
                }
                return written == 0 ? -1 : written;
            }
            int k = Math.min(limit - cursor, len - written);
            System.arraycopy(uncompressed, cursor, b, off + written, k);
            written += k;
            cursor += k;
        }
        return written;
    }

    @Override
    public int read() throws IOException {
        return read(oneByte, 0, 1) < 0 ? -1 : oneByte[0] & 0xFF;
    }

    @Override
    public void close() {
        uncompressed = null; // drops a per-chunk buffer; the kept ones stay
        in = null;
    }
}
