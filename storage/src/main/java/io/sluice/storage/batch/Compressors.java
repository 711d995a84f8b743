package io.sluice.storage.batch;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.xerial.snappy.SnappyOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/**
 * Compresses the records of a batch as kafka-clients' producer frames them (its
 * {@code *Compression.wrapForOutput}: gzip, xerial snappy, an LZ4 frame of independent 64 KiB
 * blocks, zstd), for {@link RecordBatchBuilder} and for the log cleaner's rewritten batches
 * ({@link RecordBatchFilter}: Kafka's cleaner recompresses a batch it shrinks with the batch's codec, at
 * the codec's default level). Nothing else in the broker compresses.
 *
 * <p>Stateless; thread-safe.
 */
final class Compressors {

    private Compressors() {
    }

    static ByteBuffer compress(int codec, ByteBuffer records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(records.remaining() + 64);
        try (OutputStream out = open(codec, bytes)) {
            byte[] plain = new byte[records.remaining()];
            records.duplicate().get(plain);
            out.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteBuffer.wrap(bytes.toByteArray());
    }

    private static OutputStream open(int codec, OutputStream out) throws IOException {
        return switch (codec) {
            case 1 -> new GZIPOutputStream(out, 8 * 1024);
            case 2 -> new SnappyOutputStream(out);
            case 3 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                    LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE);
            case 4 -> new ZstdOutputStreamNoFinalizer(out, 3);
            default -> throw new IllegalArgumentException("codec " + codec);
        };
    }
}
