package io.sluice.chaos.inject;

import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Prints what {@code chaos inject} did, one line per action, with the wall-clock time (for matching
 * against the user's own application logs) and the milliseconds since the first action (for
 * reading off how long a failover took): {@code 12:03:01.204 +0 ms killed node 2 (pid 1234)}.
 * Thread-safe: the shutdown hook prints the healing while the main thread may still print.
 */
public final class ActionLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final PrintStream out;
    private final Clock clock;
    private long startNanos = -1;

    public ActionLog(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    public ActionLog(PrintStream out) {
        this(out, Clock.systemDefaultZone());
    }

    /** Prints {@code message}; the first call sets the zero of the elapsed column. */
    public synchronized void print(String message) {
        long now = System.nanoTime();
        if (startNanos < 0) {
            startNanos = now;
        }
        out.println(LocalTime.now(clock).format(TIME) + " +" + (now - startNanos) / 1_000_000 + " ms " + message);
        out.flush();
    }

    /** Milliseconds since the first action (0 before it). */
    public synchronized long elapsedMs() {
        return startNanos < 0 ? 0 : (System.nanoTime() - startNanos) / 1_000_000;
    }
}
