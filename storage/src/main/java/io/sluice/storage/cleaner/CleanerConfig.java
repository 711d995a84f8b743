package io.sluice.storage.cleaner;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The broker-wide log cleaner settings, Kafka's names and defaults.
 *
 * <p>Immutable, thread-safe.
 *
 * @param enable              {@code log.cleaner.enable} (true): run the cleaner threads
 * @param threads             {@code log.cleaner.threads} (1)
 * @param dedupeBufferBytes   {@code log.cleaner.dedupe.buffer.size} (128 MiB): the offset maps' memory, shared
 *                            by the threads; each thread's map is bounded by its share
 * @param ioBufferBytes       {@code log.cleaner.io.buffer.size} (512 KiB): Sluice reads segments through their
 *                            mappings and needs no read buffer; half of it is the initial size of each thread's
 *                            record buffers (as Kafka splits it into a read and a write buffer), which grow to
 *                            the largest batch
 * @param ioBufferLoadFactor  {@code log.cleaner.io.buffer.load.factor} (0.9): how full an offset map gets
 * @param ioBytesPerSecondMax {@code log.cleaner.io.max.bytes.per.second} (unlimited): bytes read plus written
 * @param backoffMs           {@code log.cleaner.backoff.ms} (15000): a thread's sleep when no log needs cleaning
 */
public record CleanerConfig(boolean enable, int threads, long dedupeBufferBytes, int ioBufferBytes,
                            double ioBufferLoadFactor, double ioBytesPerSecondMax, long backoffMs) {

    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";

    /** The settings Kafka's {@code LogCleaner} reconfigures without a restart (all but {@code log.cleaner.enable}). */
    public static final Set<String> RECONFIGURABLE = Set.of(LOG_CLEANER_THREADS, LOG_CLEANER_DEDUPE_BUFFER_SIZE,
            LOG_CLEANER_IO_BUFFER_SIZE, LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, LOG_CLEANER_IO_MAX_BYTES_PER_SECOND,
            LOG_CLEANER_BACKOFF_MS);

    /** Kafka's defaults. */
    public static final CleanerConfig DEFAULTS = new CleanerConfig(true, 1, 128L * 1024 * 1024, 512 * 1024, 0.9,
            Double.MAX_VALUE, 15_000L);

    public CleanerConfig {
        if (threads < 0) {
            throw invalid(LOG_CLEANER_THREADS, threads, "must be at least 0");
        }
        if (dedupeBufferBytes < OffsetMap.BYTES_PER_ENTRY * (long) Math.max(1, threads)) {
            throw invalid(LOG_CLEANER_DEDUPE_BUFFER_SIZE, dedupeBufferBytes,
                    "must give each of the " + LOG_CLEANER_THREADS + " room for one offset map entry ("
                            + OffsetMap.BYTES_PER_ENTRY + " bytes)");
        }
        if (ioBufferBytes < 0) {
            throw invalid(LOG_CLEANER_IO_BUFFER_SIZE, ioBufferBytes, "must be at least 0");
        }
        if (!(ioBufferLoadFactor > 0 && ioBufferLoadFactor <= 1)) {
            throw invalid(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, ioBufferLoadFactor, "must be in (0, 1]");
        }
        if (!(ioBytesPerSecondMax > 0)) {
            throw invalid(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, ioBytesPerSecondMax, "must be positive");
        }
        if (backoffMs < 0) {
            throw invalid(LOG_CLEANER_BACKOFF_MS, backoffMs, "must be at least 0");
        }
    }

    /** From server.properties names over {@link #DEFAULTS}. */
    public static CleanerConfig fromBrokerProperties(Map<String, String> props) {
        CleanerConfig d = DEFAULTS;
        return new CleanerConfig(
                Boolean.parseBoolean(props.getOrDefault(LOG_CLEANER_ENABLE, Boolean.toString(d.enable)).trim()),
                (int) number(props, LOG_CLEANER_THREADS, d.threads),
                (long) number(props, LOG_CLEANER_DEDUPE_BUFFER_SIZE, d.dedupeBufferBytes),
                (int) number(props, LOG_CLEANER_IO_BUFFER_SIZE, d.ioBufferBytes),
                number(props, LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, d.ioBufferLoadFactor),
                number(props, LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, d.ioBytesPerSecondMax),
                (long) number(props, LOG_CLEANER_BACKOFF_MS, d.backoffMs));
    }

    /**
     * This config with the {@link #RECONFIGURABLE} settings among {@code dynamic} (server.properties
     * names) in place of its own; other names are ignored.
     *
     * @throws IllegalArgumentException naming the setting whose value is bad
     */
    public CleanerConfig overriddenBy(Map<String, String> dynamic) {
        Map<String, String> props = new HashMap<>();
        props.put(LOG_CLEANER_ENABLE, Boolean.toString(enable));
        props.put(LOG_CLEANER_THREADS, Integer.toString(threads));
        props.put(LOG_CLEANER_DEDUPE_BUFFER_SIZE, Long.toString(dedupeBufferBytes));
        props.put(LOG_CLEANER_IO_BUFFER_SIZE, Integer.toString(ioBufferBytes));
        props.put(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, Double.toString(ioBufferLoadFactor));
        props.put(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, Double.toString(ioBytesPerSecondMax));
        props.put(LOG_CLEANER_BACKOFF_MS, Long.toString(backoffMs));
        dynamic.forEach((name, value) -> {
            if (RECONFIGURABLE.contains(name)) {
                props.put(name, value);
            }
        });
        return fromBrokerProperties(props);
    }

    /** A copy with another number of threads. */
    public CleanerConfig withThreads(int n) {
        return new CleanerConfig(enable, n, dedupeBufferBytes, ioBufferBytes, ioBufferLoadFactor, ioBytesPerSecondMax,
                backoffMs);
    }

    /** Each thread's share of the dedupe buffer (Kafka: the buffer over the threads, at most 2 GiB). */
    long offsetMapBytesPerThread() {
        return Math.min(dedupeBufferBytes / Math.max(1, threads), Integer.MAX_VALUE);
    }

    private static double number(Map<String, String> props, String key, double dflt) {
        String v = props.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key + ": not a number", e);
        }
    }

    private static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("Invalid value " + value + " for configuration " + key + ": " + why);
    }
}
