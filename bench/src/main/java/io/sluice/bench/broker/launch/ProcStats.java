package io.sluice.bench.broker.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads a broker process's CPU time and memory from Linux's /proc, the same numbers {@code top}
 * and {@code ps} show, so that both brokers are measured by the same outside observer.
 *
 * <p>Stateless and thread-safe. Returns -1 where a value cannot be read (process gone, not Linux).
 */
public final class ProcStats {
    /** USER_HZ: the unit of utime/stime in /proc/[pid]/stat. 100 on every Linux we run on. */
    private static final long CLOCK_TICKS_PER_SEC = clockTicks();

    private ProcStats() {
    }

    /** User + system CPU time the process has used so far, in nanoseconds (all its threads). */
    public static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SEC;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time all processes on the machine have used so far (busy time of every CPU from
     * /proc/stat: everything but idle and iowait), in nanoseconds; -1 if unreadable.
     */
    public static long machineBusyNanos() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            // cpu user nice system idle iowait irq softirq steal ...: skip idle (4) and iowait (5).
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy * 1_000_000_000L / CLOCK_TICKS_PER_SEC;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Peak resident set size (VmHWM) in bytes: the high-water mark since start or since {@link #resetPeakRss}. */
    public static long peakRssBytes(long pid) {
        return statusKb(pid, "VmHWM:") * 1024;
    }

    /** Current resident set size (VmRSS) in bytes: anonymous memory plus mapped file pages. */
    public static long rssBytes(long pid) {
        return statusKb(pid, "VmRSS:") * 1024;
    }

    /** Current anonymous resident memory (RssAnon) in bytes: heap and direct buffers, no file pages. */
    public static long rssAnonBytes(long pid) {
        return statusKb(pid, "RssAnon:") * 1024;
    }

    /**
     * Resets the process's VmHWM to its current RSS (writing 5 to /proc/[pid]/clear_refs, Linux 4.0+),
     * so the peak of one workload is not the peak of an earlier one. Needs to own the process or root.
     *
     * @return false if the kernel refused; the peak then spans everything since the broker started
     */
    public static boolean resetPeakRss(long pid) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The JVM among a started process and its descendants: a start script may fork java rather than
     * exec it, and then the script's pid is not the broker's.
     */
    public static long jvmPid(ProcessHandle root) {
        if (isJava(root)) {
            return root.pid();
        }
        Optional<ProcessHandle> java = root.descendants().filter(ProcStats::isJava).findFirst();
        return java.map(ProcessHandle::pid).orElse(-1L);
    }

    static boolean isJava(ProcessHandle handle) {
        Optional<String> command = handle.info().command();
        if (command.isPresent()) {
            return Path.of(command.get()).getFileName().toString().equals("java");
        }
        try {
            String comm = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "comm")).trim();
            return comm.equals("java");
        } catch (IOException e) {
            return false;
        }
    }

    private static long statusKb(long pid, String key) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replace("kB", "").trim());
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            getconf.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
