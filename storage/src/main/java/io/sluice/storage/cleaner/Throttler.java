package io.sluice.storage.cleaner;

import java.util.function.LongSupplier;

/**
 * Keeps the cleaner's I/O under {@code log.cleaner.io.max.bytes.per.second} (Kafka's Throttler):
 * every {@link #CHECK_INTERVAL_MS}, or sooner once an interval's worth of bytes went by, it compares
 * the bytes read and written with the time taken and sleeps off any excess. Unlimited (Kafka's
 * default, Double.MAX_VALUE) never sleeps.
 *
 * <p>One for all the cleaner threads, as Kafka's: the bound is on their I/O together. Thread-safe:
 * a thread that must sleep does so holding the lock, so the others wait out the same excess. Time
 * and sleep are injected so tests step a clock.
 */
public final class Throttler {

    /** Sleeps off an excess only when it has been measured over this long (Kafka's default check). */
    static final long CHECK_INTERVAL_MS = 300;

    /** How the throttler waits; the default sleeps, tests advance their clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long ms) throws InterruptedException;
    }

    private final double bytesPerSecondMax;
    private final LongSupplier clockMs;
    private final Sleeper sleeper;
    private long periodStartMs;
    private double bytesInPeriod;

    Throttler(double bytesPerSecondMax, LongSupplier clockMs, Sleeper sleeper) {
        this.bytesPerSecondMax = bytesPerSecondMax;
        this.clockMs = clockMs;
        this.sleeper = sleeper;
        this.periodStartMs = clockMs.getAsLong();
    }

    /** Counts {@code bytes} of cleaner I/O; sleeps if the rate since the period began is over the bound. */
    synchronized void maybeThrottle(long bytes) throws InterruptedException {
        if (bytesPerSecondMax >= Double.MAX_VALUE) {
            return;
        }
        bytesInPeriod += bytes;
        long now = clockMs.getAsLong();
        long elapsedMs = now - periodStartMs;
        if (elapsedMs < CHECK_INTERVAL_MS && bytesInPeriod < bytesPerSecondMax * CHECK_INTERVAL_MS / 1000.0) {
            return; // measured over too short a time, and not yet a whole interval's worth of bytes
        }
        double rate = bytesInPeriod * 1000.0 / elapsedMs;
        if (rate > bytesPerSecondMax) {
            long sleepMs = (long) (bytesInPeriod * 1000.0 / bytesPerSecondMax) - elapsedMs;
            if (sleepMs > 0) {
                sleeper.sleep(sleepMs);
            }
        }
        periodStartMs = clockMs.getAsLong();
        bytesInPeriod = 0;
    }
}
