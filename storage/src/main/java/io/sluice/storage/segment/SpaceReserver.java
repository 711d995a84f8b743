package io.sluice.storage.segment;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Allocates real disk blocks for a byte range of a segment file before it is mapped and written,
 * so that a full disk is an {@link IOException} here and never a SIGBUS in a write to the mapping.
 * A sparse extension (ftruncate / RandomAccessFile.setLength) is not a reservation.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface SpaceReserver {

    /**
     * Allocates {@code [fromBytes, toBytes)} of {@code file} (open as {@code channel}); afterwards the
     * file is at least {@code toBytes} long and the range reads as zeros.
     *
     * @throws IOException on ENOSPC or any I/O error
     */
    void reserve(Path file, FileChannel channel, long fromBytes, long toBytes) throws IOException;

    /** Name for logs and the README. */
    String name();

    /** posix_fallocate if the platform and filesystem support it, else writing zeros. */
    static SpaceReserver detect() {
        return FallocateSpaceReserver.isAvailable() ? new FallocateSpaceReserver() : new ZeroFillSpaceReserver();
    }
}
