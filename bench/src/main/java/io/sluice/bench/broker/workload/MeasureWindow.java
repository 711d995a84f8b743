package io.sluice.bench.broker.workload;

import io.sluice.bench.broker.launch.ProcStats;
import java.util.List;

/**
 * The broker-side measurement of one workload: CPU time between {@link #open} and {@link #close}
 * (from /proc/[pid]/stat, summed over the broker's processes: one per node of a cluster) and the
 * peak RSS over the whole workload (VmHWM, reset when the window object is made; the largest of
 * the nodes' peaks, i.e. peak RSS per node). Owned by the load thread; not thread-safe.
 */
public final class MeasureWindow {
    private static final long SELF = ProcessHandle.current().pid();
    private final List<Long> pids;
    private long cpuOpenNs = -1;
    private long cpuCloseNs = -1;
    private long selfOpenNs;
    private long selfCloseNs;
    private long machineOpenNs = -1;
    private long machineCloseNs = -1;
    private long wallOpenNs;
    private long wallCloseNs;

    /** Starts watching {@code pids}: resets their peak RSS so this workload's peak is its own. */
    public MeasureWindow(List<Long> pids) {
        this.pids = List.copyOf(pids);
        this.pids.forEach(ProcStats::resetPeakRss);
    }

    public void open() {
        wallOpenNs = System.nanoTime();
        cpuOpenNs = brokerCpuNanos();
        selfOpenNs = ProcStats.cpuNanos(SELF);
        machineOpenNs = ProcStats.machineBusyNanos();
    }

    public void close() {
        wallCloseNs = System.nanoTime();
        cpuCloseNs = brokerCpuNanos();
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

    /** Broker CPU seconds between open and close, all nodes together; 0 if unknown. */
    public double cpuSeconds() {
        if (cpuOpenNs < 0 || cpuCloseNs < 0) {
            return 0;
        }
        return (cpuCloseNs - cpuOpenNs) / 1e9;
    }

    /** The largest VmHWM of the broker's processes since the window was made: peak RSS per node; -1 if unknown. */
    public long peakRssBytes() {
        return pids.stream().mapToLong(ProcStats::peakRssBytes).max().orElse(-1);
    }

    /** The result of a workload whose window moved {@code records} records of {@code bytes} value bytes. */
    public LoadResult result(Workload workload, String broker, int rep, long records, long bytes, double seconds,
                             LatencySummary latency, long errors, String error) {
        double cpu = cpuSeconds();
        double gib = bytes / (double) (1L << 30);
        return new LoadResult(workload.id(), broker, rep, records, bytes, seconds,
                seconds > 0 ? records / seconds : 0, seconds > 0 ? bytes / (double) (1 << 20) / seconds : 0,
                latency, cpu, gib > 0 ? cpu / gib : 0, peakRssBytes(),
                pids.stream().mapToLong(ProcStats::rssAnonBytes).max().orElse(-1), otherCores(), errors, error);
    }

    /** -1 if any process's CPU time cannot be read (a node died): the window then has no CPU figure. */
    private long brokerCpuNanos() {
        long sum = 0;
        for (long pid : pids) {
            long cpu = ProcStats.cpuNanos(pid);
            if (cpu < 0) {
                return -1;
            }
            sum += cpu;
        }
        return sum;
    }
}
