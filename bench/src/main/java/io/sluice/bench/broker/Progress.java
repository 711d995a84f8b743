package io.sluice.bench.broker;

import io.sluice.bench.broker.launch.ProcStats;
import io.sluice.bench.broker.workload.LiveStats;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The progress line: which repetition, broker and workload, its phase, the client's record rate,
 * the broker's CPU and RSS, and the time left. On a terminal it redraws one line every second;
 * otherwise (CI logs) it prints a line every ten seconds. Thread-safe: the harness thread sets the
 * step, a daemon thread draws.
 */
final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private final long startNs = System.nanoTime();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bench-progress");
        thread.setDaemon(true);
        return thread;
    });
    private final LiveStats live = new LiveStats();
    private final long estimatedTotalNs;
    private volatile String step = "starting";
    private volatile long pid = -1;
    private volatile int stepsDone;
    private final int stepsTotal;
    private long lastRecords;
    private long lastCpuNs = -1;
    private long lastTickNs = System.nanoTime();
    private int ticks;

    Progress(PrintStream out, int stepsTotal, long estimatedTotalNs) {
        this.out = out;
        this.terminal = System.console() != null;
        this.stepsTotal = stepsTotal;
        this.estimatedTotalNs = estimatedTotalNs;
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    PrintStream out() {
        return out;
    }

    LiveStats live() {
        return live;
    }

    /** A new step: "rep 1/3 · kafka · produce acks=1 ...". Prints it on its own line too. */
    void step(String description, long brokerPid) {
        step = description;
        pid = brokerPid;
        lastCpuNs = -1;
        if (!terminal) {
            out.println(prefix() + description);
        }
    }

    void stepDone() {
        stepsDone++;
    }

    /** A line that stays (a result, a warning), above the progress line. */
    void note(String line) {
        synchronized (out) {
            out.print(terminal ? "\r\033[K" : "");
            out.println(line);
        }
    }

    private String prefix() {
        long elapsed = System.nanoTime() - startNs;
        long left = Math.max(0, estimatedTotalNs - elapsed);
        return String.format(Locale.ROOT, "[%s, ~%s left, %d/%d] ", clock(elapsed), clock(left), stepsDone, stepsTotal);
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            long records = live.records();
            double seconds = (now - lastTickNs) / 1e9;
            double rate = (records - lastRecords) / seconds;
            long cpuNs = pid > 0 ? ProcStats.cpuNanos(pid) : -1;
            double cpuPercent = lastCpuNs >= 0 && cpuNs >= 0 ? 100.0 * (cpuNs - lastCpuNs) / (now - lastTickNs) : Double.NaN;
            lastRecords = records;
            lastCpuNs = cpuNs;
            lastTickNs = now;
            long rss = pid > 0 ? ProcStats.rssBytes(pid) : -1;
            String phase = live.phase();
            String phaseTime = live.phaseLengthNs() > 0
                    ? String.format(Locale.ROOT, "%.0f/%.0f s", live.phaseElapsedNs() / 1e9, live.phaseLengthNs() / 1e9)
                    : String.format(Locale.ROOT, "%.0f s", live.phaseElapsedNs() / 1e9);
            String line = prefix() + step + " · " + phase + " " + phaseTime
                    + String.format(Locale.ROOT, " · %,.0f rec/s", rate)
                    + (Double.isNaN(cpuPercent) ? "" : String.format(Locale.ROOT, " · broker CPU %.0f%%", cpuPercent))
                    + (rss > 0 ? String.format(Locale.ROOT, " · RSS %,d MiB", rss >> 20) : "");
            synchronized (out) {
                if (terminal) {
                    out.print("\r\033[K" + line);
                    out.flush();
                } else if (++ticks % 10 == 0) {
                    out.println(line);
                }
            }
        } catch (RuntimeException e) {
            // A progress line must never stop a run.
        }
    }

    private static String clock(long nanos) {
        long s = nanos / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        if (terminal) {
            out.println();
        }
    }
}
