package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Fills the filesystem a broker writes to with a ballast file until the kernel says no space is
 * left, and frees it again on {@link #close}. Only used on a harness-mounted tmpfs
 * ({@link TmpfsVolume}), never on a shared disk. Not thread-safe.
 */
public final class DiskFiller implements AutoCloseable {
    private static final int CHUNK_BYTES = 1 << 20;
    private final Path ballast;
    private long filledBytes;

    private DiskFiller(Path ballast) {
        this.ballast = ballast;
    }

    /** Writes until ENOSPC; returns the filler holding the space. */
    public static DiskFiller fill(TmpfsVolume volume) throws IOException {
        DiskFiller filler = new DiskFiller(volume.mountPoint().resolve("chaos-ballast"));
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        try (FileChannel ch = FileChannel.open(filler.ballast, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            int size = CHUNK_BYTES;
            while (size > 0) {
                chunk.clear().limit(size);
                try {
                    while (chunk.hasRemaining()) {
                        filler.filledBytes += ch.write(chunk);
                    }
                } catch (IOException e) {
                    // "No space left on device": halve the chunk to fill the last pages too.
                    size /= 2;
                }
            }
        }
        return filler;
    }

    public long filledBytes() {
        return filledBytes;
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(ballast);
    }
}
