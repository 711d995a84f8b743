package io.sluice.storage.batch;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.io.DirectBufferInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

/**
 * Opens the decompressing stream for a batch's records, framed exactly as kafka-clients 4.4 reads
 * them (its {@code *Compression.wrapForInput}), with the same libraries at the same versions:
 * <ul>
 *   <li>1 gzip: {@link GZIPInputStream} with an 8 KiB input buffer;</li>
 *   <li>2 snappy: xerial's framed format and raw snappy blocks, read as snappy-java's SnappyInputStream
 *       reads them ({@link SnappyStream}, over snappy-java), each chunk's uncompressed length bounded by
 *       what its compressed bytes can expand to;</li>
 *   <li>3 lz4: one LZ4 frame, read as Kafka's KafkaLZ4BlockInputStream reads it ({@link Lz4FrameStream},
 *       over lz4-java's safe decompressor and XXHash32);</li>
 *   <li>4 zstd: zstd-jni's {@link ZstdInputStreamNoFinalizer} (buffers from its recycling pool), its
 *       window capped at {@link #ZSTD_WINDOW_LOG_MAX}.</li>
 * </ul>
 *
 * The compressed bytes are read in place through a reused view (Agrona's
 * {@link DirectBufferInputStream} over an {@link UnsafeBuffer}), never copied out first.
 *
 * <p>Not thread-safe: one per {@link RecordCursor}; each {@link #open} ends the previous stream's use.
 */
final class Decompression {

    private static final int GZIP_INPUT_BUFFER_BYTES = 8 * 1024;
    /**
     * Largest zstd window accepted, as a log: 2^27 = 128 MiB, libzstd's ZSTD_WINDOWLOG_LIMIT_DEFAULT and so
     * what Kafka accepts. A frame's header names its window and the decoder allocates it (native memory)
     * before reading a block, so this bounds one decompression at 128 MiB per appending thread (an event
     * loop, {@code num.network.threads} of them). Lower would refuse real producers: Kafka's producer at
     * {@code compression.zstd.level=22} (KIP-390 allows it) streams with window log 27, level 19 with 23.
     * Named here so the bound is explicit and the test pins it.
     */
    static final int ZSTD_WINDOW_LOG_MAX = 27;

    private final UnsafeBuffer compressedView = new UnsafeBuffer(0, 0);
    private final DirectBufferInputStream compressedInput = new DirectBufferInputStream();
    private final Lz4FrameStream lz4 = new Lz4FrameStream();
    private final SnappyStream snappy = new SnappyStream();

    /**
     * The decompressed stream of {@code [offset, offset + length)} of {@code buffer}.
     *
     * @param codec 1..4 (the batch attributes' codec bits; 0 and unknown codecs are the caller's)
     */
    InputStream open(int codec, ByteBuffer buffer, int offset, int length) throws IOException {
        if (codec == 3) {
            return lz4.open(buffer, offset, length);
        }
        if (codec == 2) {
            return snappy.open(buffer, offset, length);
        }
        compressedView.wrap(buffer, offset, length);
        compressedInput.wrap(compressedView);
        return switch (codec) {
            case 1 -> new GZIPInputStream(compressedInput, GZIP_INPUT_BUFFER_BYTES);
            case 4 -> zstd();
            default -> throw new IOException("unknown compression codec " + codec);
        };
    }

    private InputStream zstd() throws IOException {
        ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(compressedInput, RecyclingBufferPool.INSTANCE);
        try {
            return zstd.setLongMax(ZSTD_WINDOW_LOG_MAX);
        } catch (IOException | RuntimeException e) {
            zstd.close(); // releases the native context
            throw e;
        }
    }
}
