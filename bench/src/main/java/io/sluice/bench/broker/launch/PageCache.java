package io.sluice.bench.broker.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Brings the kernel's dirty page cache back to (nearly) clean before a broker starts and before
 * each workload. Without it, whichever broker runs second pays for the writeback of what the
 * first one wrote (writers are throttled while gigabytes of dirty pages drain), and the
 * comparison tilts by run order. Stateless.
 */
public final class PageCache {
    /** Dirty + Writeback below this counts as settled. */
    private static final long SETTLED_BYTES = 64L << 20;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private PageCache() {
    }

    /**
     * Runs {@code sync} and waits until little is dirty or under writeback (bounded by a timeout:
     * other processes on a shared machine may keep writing).
     *
     * @return bytes still dirty or under writeback afterwards, -1 if unknown
     */
    public static long settle() throws InterruptedException {
        try {
            Process sync = new ProcessBuilder("sync").redirectErrorStream(true).start();
            if (!sync.waitFor(SETTLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                sync.destroyForcibly();
            }
        } catch (IOException e) {
            return -1;
        }
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        long dirty = dirtyBytes();
        while (dirty > SETTLED_BYTES && System.nanoTime() < deadline) {
            Thread.sleep(200);
            dirty = dirtyBytes();
        }
        return dirty;
    }

    /** Dirty + Writeback from /proc/meminfo, in bytes; -1 if unreadable. */
    static long dirtyBytes() {
        try {
            long kb = 0;
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("Dirty:") || line.startsWith("Writeback:")) {
                    kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return kb * 1024;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
