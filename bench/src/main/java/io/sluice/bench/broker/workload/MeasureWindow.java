package io.sluice.bench.broker.workload;

import io.sluice.bench.broker.target.ProcStats;

/**
 * The broker-side measurement of one workload: CPU time between {@link #open} and {@link #close}
 * (from /proc/[pid]/stat) and the peak RSS over the whole workload (VmHWM, reset when the window
 * object is made). Owned by the load thread; not thread-safe.
 */
public final class MeasureWindow {
    private final long pid;
    private long cpuOpenNs = -1;
    private long cpuCloseNs = -1;

    /** Starts watching {@code pid}: resets its peak RSS so this workload's peak is its own. */
    public MeasureWindow(long pid) {
        this.pid = pid;
        ProcStats.resetPeakRss(pid);
    }

    public void open() {
        cpuOpenNs = ProcStats.cpuNanos(pid);
    }

    public void close() {
        cpuCloseNs = ProcStats.cpuNanos(pid);
    }

    /** Broker CPU seconds between open and close; 0 if unknown. */
    public double cpuSeconds() {
        if (cpuOpenNs < 0 || cpuCloseNs < 0) {
            return 0;
        }
        return (cpuCloseNs - cpuOpenNs) / 1e9;
    }

    /** The result of a workload whose window moved {@code records} records of {@code bytes} value bytes. */
    public LoadResult result(Workload workload, String broker, int rep, long records, long bytes, double seconds,
                             LatencySummary latency, long errors, String error) {
        double cpu = cpuSeconds();
        double gib = bytes / (double) (1L << 30);
        return new LoadResult(workload.id(), broker, rep, records, bytes, seconds,
                seconds > 0 ? records / seconds : 0, seconds > 0 ? bytes / (double) (1 << 20) / seconds : 0,
                latency, cpu, gib > 0 ? cpu / gib : 0, ProcStats.peakRssBytes(pid), ProcStats.rssAnonBytes(pid),
                errors, error);
    }
}
