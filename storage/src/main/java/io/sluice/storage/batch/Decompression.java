package io.sluice.storage.batch;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;
import org.xerial.snappy.SnappyInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Opens the decompressing stream for a batch's records, framed exactly as kafka-clients 4.4 reads
 * them (its {@code *Compression.wrapForInput}), with the same libraries at the same versions:
 * <ul>
 *   <li>1 gzip: {@link GZIPInputStream} with an 8 KiB input buffer;</li>
 *   <li>2 snappy: xerial's {@link SnappyInputStream} (its own framed format, and raw snappy blocks);</li>
 *   <li>3 lz4: the LZ4 frame format, one frame ({@link LZ4FrameInputStream}; Kafka reads the same frames
 *       with its own KafkaLZ4BlockInputStream over lz4-java's safe decompressor and XXHash32). One
 *       difference: Kafka skips the optional content checksum at the frame's end, lz4-java checks it,
 *       so a frame with a wrong one is refused here (the producer wrote it wrong; the batch CRC matched);</li>
 *   <li>4 zstd: zstd-jni's {@link ZstdInputStreamNoFinalizer} (buffers from its recycling pool).</li>
 * </ul>
 *
 * <p>Stateless; thread-safe (the factories are).
 */
final class Decompression {

    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();
    private static final XXHash32 XXHASH32 = XXHashFactory.fastestInstance().hash32();
    private static final int GZIP_INPUT_BUFFER_BYTES = 8 * 1024;

    private Decompression() {
    }

    /** @param codec 1..4 (the batch attributes' codec bits; 0 and unknown codecs are the caller's) */
    static InputStream open(int codec, InputStream compressed) throws IOException {
        return switch (codec) {
            case 1 -> new GZIPInputStream(compressed, GZIP_INPUT_BUFFER_BYTES);
            case 2 -> new SnappyInputStream(compressed);
            case 3 -> new LZ4FrameInputStream(compressed, LZ4, XXHASH32, true);
            case 4 -> new ZstdInputStreamNoFinalizer(compressed, RecyclingBufferPool.INSTANCE);
            default -> throw new IOException("unknown compression codec " + codec);
        };
    }
}
