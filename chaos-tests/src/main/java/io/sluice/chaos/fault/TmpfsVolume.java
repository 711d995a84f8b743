package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A size-limited tmpfs mounted over a broker's data directory, so the harness can fill the disk
 * the broker writes to. Mounting needs root (or CAP_SYS_ADMIN); where it is not permitted
 * {@link #tryMount} says why once and returns empty, and the disk-full fault is skipped. tmpfs
 * lives in the page cache, so it survives a SIGKILL of the broker, like a real disk would.
 * Owned by one {@code BrokerNode}; not thread-safe.
 */
public final class TmpfsVolume implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TmpfsVolume.class);
    private static volatile String unavailableReason;

    private final Path mountPoint;
    private final long sizeBytes;
    private boolean mounted = true;

    private TmpfsVolume(Path mountPoint, long sizeBytes) {
        this.mountPoint = mountPoint;
        this.sizeBytes = sizeBytes;
    }

    /** Why tmpfs mounts are not possible here, or null if they are (or were not tried). */
    public static String unavailableReason() {
        return unavailableReason;
    }

    public static Optional<TmpfsVolume> tryMount(Path mountPoint, long sizeBytes) {
        if (unavailableReason != null) {
            return Optional.empty();
        }
        String result = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes + ",mode=0755", "tmpfs",
                mountPoint.toString()));
        if (result != null) {
            unavailableReason = "cannot mount a tmpfs (" + result.strip() + "); disk-full faults are skipped";
            LOG.warn(unavailableReason);
            return Optional.empty();
        }
        return Optional.of(new TmpfsVolume(mountPoint, sizeBytes));
    }

    /** Runs a command; null on success, else its output. */
    static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return cmd + " timed out";
            }
            return p.exitValue() == 0 ? null : cmd + " exited " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return cmd + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cmd + " interrupted";
        }
    }

    public Path mountPoint() {
        return mountPoint;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public void close() {
        if (!mounted) {
            return;
        }
        mounted = false;
        String result = run(List.of("umount", mountPoint.toString()));
        if (result != null) {
            // A process may still hold a file open; a lazy unmount frees the memory once it closes.
            String lazy = run(List.of("umount", "-l", mountPoint.toString()));
            if (lazy != null) {
                LOG.error("could not unmount tmpfs at {}: {}", mountPoint, lazy);
            }
        }
    }
}
