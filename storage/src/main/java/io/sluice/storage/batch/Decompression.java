package io.sluice.storage.batch;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.io.DirectBufferInputStream;
import org.xerial.snappy.SnappyInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

/**
 * Opens the decompressing stream for a batch's records, framed exactly as kafka-clients 4.4 reads
 * them (its {@code *Compression.wrapForInput}), with the same libraries at the same versions:
 * <ul>
 *   <li>1 gzip: {@link GZIPInputStream} with an 8 KiB input buffer;</li>
 *   <li>2 snappy: xerial's {@link SnappyInputStream} (its own framed format, and raw snappy blocks), its
 *       chunk size bounded by the batch's compressed bytes;</li>
 *   <li>3 lz4: one LZ4 frame, read as Kafka's KafkaLZ4BlockInputStream reads it ({@link Lz4FrameStream},
 *       over lz4-java's safe decompressor and XXHash32);</li>
 *   <li>4 zstd: zstd-jni's {@link ZstdInputStreamNoFinalizer} (buffers from its recycling pool).</li>
 * </ul>
 *
 * The compressed bytes are read in place through a reused view (Agrona's
 * {@link DirectBufferInputStream} over an {@link UnsafeBuffer}), never copied out first.
 *
 * <p>Not thread-safe: one per {@link RecordCursor}; each {@link #open} ends the previous stream's use.
 */
final class Decompression {

    private static final int GZIP_INPUT_BUFFER_BYTES = 8 * 1024;

    private final UnsafeBuffer compressedView = new UnsafeBuffer(0, 0);
    private final DirectBufferInputStream compressedInput = new DirectBufferInputStream();
    private final Lz4FrameStream lz4 = new Lz4FrameStream();

    /**
     * The decompressed stream of {@code [offset, offset + length)} of {@code buffer}.
     *
     * @param codec 1..4 (the batch attributes' codec bits; 0 and unknown codecs are the caller's)
     */
    InputStream open(int codec, ByteBuffer buffer, int offset, int length) throws IOException {
        if (codec == 3) {
            return lz4.open(buffer, offset, length);
        }
        compressedView.wrap(buffer, offset, length);
        compressedInput.wrap(compressedView);
        return switch (codec) {
            case 1 -> new GZIPInputStream(compressedInput, GZIP_INPUT_BUFFER_BYTES);
            // A chunk cannot be bigger than the bytes there are: bounding it keeps a lying chunk header
            // from making snappy allocate up to its own limit (512 MiB) for one batch.
            case 2 -> new SnappyInputStream(compressedInput, Math.max(length, 1));
            case 4 -> new ZstdInputStreamNoFinalizer(compressedInput, RecyclingBufferPool.INSTANCE);
            default -> throw new IOException("unknown compression codec " + codec);
        };
    }
}
