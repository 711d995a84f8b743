package io.sluice.storage.segment;

import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reserves with {@code fallocate(fd, 0, offset, len)} through Chronicle's native layer
 * ({@code net.openhft.posix}, shipped with Chronicle Bytes): the filesystem allocates the blocks
 * (as unwritten extents on ext4/xfs) without writing them, so a 16 MiB step costs microseconds
 * instead of a 16 MiB write, and ENOSPC comes back as an error code.
 *
 * <p>The JDK gives no file descriptor number for a FileChannel without opening java.io to
 * reflection, so the file is opened by path for the call (once per reservation step).
 *
 * <p>Thread-safe.
 */
public final class FallocateSpaceReserver implements SpaceReserver {

    private static final Logger LOG = LoggerFactory.getLogger(FallocateSpaceReserver.class);
    private static final int O_RDWR = 2;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;

    private static volatile Boolean available;

    /** True if fallocate works on this platform (probed once, on a temp file). */
    public static boolean isAvailable() {
        Boolean a = available;
        if (a == null) {
            a = probe();
            available = a;
        }
        return a;
    }

    private static boolean probe() {
        Path probe = null;
        try {
            PosixAPI posix = PosixAPI.posix();
            probe = Files.createTempFile("sluice-fallocate-probe", ".tmp");
            int fd = posix.open(probe.toString(), O_RDWR, 0);
            if (fd < 0) {
                return false;
            }
            try {
                return posix.fallocate(fd, 0, 0, 4096) == 0;
            } finally {
                posix.close(fd);
            }
        } catch (Throwable t) {
            LOG.info("fallocate not available ({}); segments are reserved by writing zeros", t.toString());
            return false;
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    @Override
    public void reserve(Path file, FileChannel channel, long fromBytes, long toBytes) throws IOException {
        if (toBytes <= fromBytes) {
            return;
        }
        PosixAPI posix = PosixAPI.posix();
        int fd = posix.open(file.toString(), O_RDWR, 0);
        if (fd < 0) {
            throw new IOException("open for fallocate failed: " + file + ": " + posix.lastErrorStr());
        }
        try {
            int rc = posix.fallocate(fd, 0, fromBytes, toBytes - fromBytes);
            if (rc != 0) {
                int errno = posix.lastError();
                if (errno == EOPNOTSUPP) {
                    // A filesystem without fallocate (some FUSE/NFS): fall back for this call.
                    new ZeroFillSpaceReserver().reserve(file, channel, fromBytes, toBytes);
                    return;
                }
                String what = errno == ENOSPC ? "No space left on device (ENOSPC)" : "errno " + errno + " " + posix.strerror(errno);
                throw new IOException(what + " reserving bytes [" + fromBytes + ", " + toBytes + ") of " + file);
            }
        } finally {
            posix.close(fd);
        }
    }

    @Override
    public String name() {
        return "fallocate";
    }
}
