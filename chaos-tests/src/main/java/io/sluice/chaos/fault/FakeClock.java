package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A broker process's wall clock, moved from outside with libfaketime (Debian: {@code apt-get
 * install -y faketime}). Whether a clock can be faulted is decided when the process starts: it
 * runs with libfaketime preloaded and a timestamp file of its own holding a zero offset, and a
 * fault rewrites that file. Only the wall clock moves: {@code DONT_FAKE_MONOTONIC=1} leaves
 * {@code CLOCK_MONOTONIC} (the JVM's {@code nanoTime}) alone, as a real clock step by NTP does.
 * Checked with Java 17 and libfaketime 0.9.10 (Debian 12): offsets in the file move
 * {@code currentTimeMillis}, {@code nanoTime} stays true.
 * libfaketime re-reads the file at most once per {@link #CACHE_SECONDS} (re-reading it on every
 * time call would cost the broker a file read per {@code currentTimeMillis}), so a change takes
 * effect within about that long. Not thread-safe; the nemesis's thread owns it.
 */
public final class FakeClock {
    /** libfaketime's own cache of the timestamp file, in seconds. */
    static final int CACHE_SECONDS = 1;
    /** Where Debian and Ubuntu put it; the multi-threaded variant, since a JVM reads the clock from many threads. */
    private static final List<String> LIBRARY_CANDIDATES = List.of(
            "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
            "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
            "/usr/lib/faketime/libfaketimeMT.so.1",
            "/usr/local/lib/faketime/libfaketimeMT.so.1");

    private final Path library;
    private final Path timestampFile;
    private long offsetMs;

    private FakeClock(Path library, Path timestampFile) throws IOException {
        this.library = library;
        this.timestampFile = timestampFile;
        offset(0);
    }

    /** The library to preload, if this machine has one. */
    public static Optional<Path> library() {
        return LIBRARY_CANDIDATES.stream().map(Path::of).filter(Files::isReadable).findFirst();
    }

    /** Why clocks cannot be faulted here, or null if they can. */
    public static String unavailableReason() {
        return library().isPresent() ? null : "libfaketime not found (" + String.join(", ", LIBRARY_CANDIDATES)
                + "); install it with apt-get install -y faketime";
    }

    /** A clock at true time whose timestamp file is {@code timestampFile}; empty where libfaketime is missing. */
    public static Optional<FakeClock> create(Path timestampFile) throws IOException {
        Optional<Path> lib = library();
        return lib.isEmpty() ? Optional.empty() : Optional.of(new FakeClock(lib.get(), timestampFile));
    }

    /** What the process must be started with for this clock to be its wall clock. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LD_PRELOAD", library.toString());
        env.put("FAKETIME_TIMESTAMP_FILE", timestampFile.toString());
        env.put("FAKETIME_CACHE_DURATION", Integer.toString(CACHE_SECONDS));
        env.put("DONT_FAKE_MONOTONIC", "1");
        // Without it libfaketime 0.9.10 decides in every pthread_cond_timedwait, by getenv and sscanf of
        // the glibc version, whether old glibc needs its monotonic workaround (not since glibc 2.25); a
        // JVM waits on condition variables all the time: a Kafka tool took 10x the CPU, and 3-node
        // clusters did not serve within 3 minutes. 0 is what that check answers on this glibc anyway.
        env.put("FAKETIME_FORCE_MONOTONIC_FIX", "0");
        return env;
    }

    /**
     * Sets the wall clock to true time plus {@code ms} (negative: behind). The file is replaced
     * whole, so libfaketime never reads half of it.
     */
    public void offset(long ms) throws IOException {
        Path tmp = timestampFile.resolveSibling(timestampFile.getFileName() + ".tmp");
        Files.writeString(tmp, format(ms) + "\n");
        Files.move(tmp, timestampFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        offsetMs = ms;
    }

    /** libfaketime's relative offset syntax: a sign and seconds, fractions allowed. */
    static String format(long ms) {
        return (ms < 0 ? "-" : "+") + String.format(Locale.ROOT, "%d.%03d", Math.abs(ms) / 1000, Math.abs(ms) % 1000);
    }

    public long offsetMs() {
        return offsetMs;
    }

    public Path timestampFile() {
        return timestampFile;
    }
}
