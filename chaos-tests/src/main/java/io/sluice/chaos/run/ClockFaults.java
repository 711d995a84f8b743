package io.sluice.chaos.run;

import io.sluice.chaos.fault.FakeClock;
import java.io.IOException;

/**
 * The two shapes of a clock fault on one node's {@link FakeClock}: a step (forward or back) held
 * for the fault's duration, and a clock running fast or slow, which the harness approximates by
 * moving the offset every {@link #DRIFT_STEP_MS} (libfaketime's own rate setting counts from the
 * process's start, so setting it mid-run would jump the clock first). Either way the clock steps
 * back to true time when the fault heals, as NTP would step a clock it found wrong. Stateless.
 */
final class ClockFaults {
    /** How often a drifting clock's offset is moved; libfaketime picks it up within a second anyway. */
    static final long DRIFT_STEP_MS = 250;

    private ClockFaults() { }

    static void jump(FakeClock clock, long offsetMs, long durationMs) throws IOException, InterruptedException {
        try {
            clock.offset(offsetMs);
            Thread.sleep(durationMs);
        } finally {
            clock.offset(0);
        }
    }

    /** @param percent the clock's speed in percent of true time (50: half speed, 200: twice as fast) */
    static void drift(FakeClock clock, int percent, long durationMs) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long end = start + durationMs * 1_000_000L;
        try {
            for (long now = start; now < end; now = System.nanoTime()) {
                clock.offset(driftOffsetMs((now - start) / 1_000_000, percent));
                Thread.sleep(Math.min(DRIFT_STEP_MS, Math.max(1, (end - now) / 1_000_000)));
            }
        } finally {
            clock.offset(0);
        }
    }

    /** How far a clock running at {@code percent} of true speed is off after {@code elapsedMs}. */
    static long driftOffsetMs(long elapsedMs, int percent) {
        return elapsedMs * (percent - 100) / 100;
    }
}
