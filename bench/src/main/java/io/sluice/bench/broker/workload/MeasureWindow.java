package io.sluice.bench.broker.workload;

import io.sluice.bench.broker.launch.ProcStats;

/**
 * The broker-side measurement of one workload: CPU time between {@link #open} and {@link #close}
 * (from /proc/[pid]/stat) and the peak RSS over the whole workload (VmHWM, reset when the window
 * object is made). Owned by the load thread; not thread-safe.
 */
public final class MeasureWindow {
    private final long pid;
    private static final long SELF = ProcessHandle.current().pid();
    private long cpuOpenNs = -1;
    private long cpuCloseNs = -1;
    private long selfOpenNs;
    private long selfCloseNs;
    private long machineOpenNs = -1;
    private long machineCloseNs = -1;
    private long wallOpenNs;
    private long wallCloseNs;

    /** Starts watching {@code pid}: resets its peak RSS so this workload's peak is its own. */
    public MeasureWindow(long pid) {
        this.pid = pid;
        ProcStats.resetPeakRss(pid);
    }

    public void open() {
        wallOpenNs = System.nanoTime();
        cpuOpenNs = ProcStats.cpuNanos(pid);
        selfOpenNs = ProcStats.cpuNanos(SELF);
        machineOpenNs = ProcStats.machineBusyNanos();
    }

    public void close() {
        wallCloseNs = System.nanoTime();
        cpuCloseNs = ProcStats.cpuNanos(pid);
        selfCloseNs = ProcStats.cpuNanos(SELF);
        machineCloseNs = ProcStats.machineBusyNanos();
    }

    /**
     * Cores' worth of CPU that neither the broker nor the harness used during the window: other
     * processes on a shared machine. A run with much of it measured a crowded machine.
     */
    public double otherCores() {
        if (machineOpenNs < 0 || machineCloseNs < 0 || cpuOpenNs < 0 || cpuCloseNs < 0 || wallCloseNs <= wallOpenNs) {
            return Double.NaN;
        }
        long other = (machineCloseNs - machineOpenNs) - (cpuCloseNs - cpuOpenNs) - (selfCloseNs - selfOpenNs);
        return Math.max(0, other) / (double) (wallCloseNs - wallOpenNs);
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
                otherCores(), errors, error);
    }
}
