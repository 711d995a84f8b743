package io.sluice.chaos.inject;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one {@link Fault} against the local cluster: inject, hold, heal — and heal from a shutdown
 * hook if the JVM ends first (Ctrl-C, SIGTERM), so no node stays paused and no rule stays behind.
 * A lock file in the cluster's data directory ({@code data/inject.lock}, holding the pid while it
 * runs) keeps a second inject from flushing this one's rules (its leftover cleanup would). One
 * session per process.
 */
public final class InjectSession {
    private final ActionLog log;
    private final Path lockFile;
    private final AtomicBoolean healed = new AtomicBoolean();
    private final CountDownLatch healDone = new CountDownLatch(1);

    public InjectSession(LocalCluster cluster, ActionLog log) {
        this.log = log;
        this.lockFile = cluster.home().resolve("data/inject.lock");
    }

    /**
     * Injects {@code fault}, holds it for {@code hold} (empty: until the JVM is told to stop), and heals it.
     *
     * @throws IllegalStateException if another inject runs against this cluster
     */
    public void run(Fault fault, Optional<Duration> hold) throws Exception {
        Files.createDirectories(lockFile.getParent());
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("another bin/sluice chaos inject runs against this cluster (" + lockFile
                        + " is locked); one fault at a time");
            }
            // The pid tells bin/sluice cluster start/stop whether the rules of a chain belong to a live inject.
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
            // Holding the lock, no other inject of this cluster runs: any chain now is a killed one's.
            if (InjectChain.whyUnavailable().isEmpty() && InjectChain.removeLeftovers()) {
                log.print("removed the iptables rules a killed inject left (chain " + InjectChain.NAME + ")");
            }
            Thread hook = new Thread(() -> healOnce(fault), "chaos-inject-heal");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                fault.inject(log);
                if (hold.isPresent()) {
                    if (!hold.get().isZero()) {
                        log.print("holding for " + Durations.format(hold.get()) + " (Ctrl-C heals now)");
                        sleep(hold.get());
                    }
                } else {
                    log.print("holding until Ctrl-C");
                    sleep(Duration.ofMillis(Long.MAX_VALUE));
                }
            } finally {
                healOnce(fault);
                removeHook(hook);
                channel.truncate(0);
            }
        }
    }

    /** Heals once; a second caller (the hook while the main thread heals) waits for the first to finish. */
    private void healOnce(Fault fault) {
        if (!healed.compareAndSet(false, true)) {
            awaitHealDone();
            return;
        }
        try {
            fault.heal(log);
        } catch (Exception e) {
            log.print("HEALING FAILED: " + e + " — check the cluster by hand");
        } finally {
            healDone.countDown();
        }
    }

    private void awaitHealDone() {
        try {
            healDone.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        // The shutdown hook heals on Ctrl-C; this thread only has to wait.
        TimeUnit.MILLISECONDS.sleep(d.toMillis());
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook ran or runs, and finds the fault healed
        }
    }
}
