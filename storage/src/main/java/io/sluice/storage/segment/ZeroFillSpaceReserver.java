package io.sluice.storage.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reserves by writing zeros through the channel: portable and a real allocation (the filesystem
 * must find blocks for every page), but it costs a write of every reserved byte and, later, the
 * writeback of those zero pages. The fallback when fallocate is not available.
 *
 * <p>Thread-safe.
 */
public final class ZeroFillSpaceReserver implements SpaceReserver {

    private static final int CHUNK_BYTES = 256 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(CHUNK_BYTES).asReadOnlyBuffer();

    @Override
    public void reserve(Path file, FileChannel channel, long fromBytes, long toBytes) throws IOException {
        long position = fromBytes;
        while (position < toBytes) {
            ByteBuffer chunk = ZEROS.duplicate();
            chunk.limit((int) Math.min(CHUNK_BYTES, toBytes - position));
            while (chunk.hasRemaining()) {
                position += channel.write(chunk, position);
            }
        }
    }

    @Override
    public String name() {
        return "zero-fill";
    }
}
