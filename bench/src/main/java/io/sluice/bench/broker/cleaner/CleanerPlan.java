package io.sluice.bench.broker.cleaner;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the cleaner step does, the same for both brokers. Immutable.
 *
 * @param dataBytes        value bytes written to the compacted topic (1 GiB in the issue)
 * @param writesPerKey     writes of each key (10: 10 % of the records are live)
 * @param seed             the data's seed (keys' order, values)
 * @param ratePerSec       records/s of the fixed-rate producer whose p99 is measured
 * @param loadPartitions   partitions of that producer's topic
 * @param warmup           that producer's run before its first measured window
 * @param baseline         its window without cleaning
 * @param cleaningTimeout  how long the cleaner may take to cover the dirty section
 */
public record CleanerPlan(long dataBytes, int writesPerKey, long seed, int ratePerSec, int loadPartitions,
                          Duration warmup, Duration baseline, Duration cleaningTimeout) {
    /** The step's id in {@code --workloads} and results.json. */
    public static final String ID = "cleaner";
    /** Kafka's smallest topic {@code segment.bytes} (LogConfig: at least 1 MiB). */
    static final int SEGMENT_BYTES_MIN = 1 << 20;
    /** The compacted log is written in about this many segments: all but the last one are cleanable. */
    static final int SEGMENTS_WANTED = 16;

    /**
     * The cleaner settings both brokers start with (Kafka's names; Kafka's defaults except the
     * backoff). {@code log.cleaner.backoff.ms} is Kafka's 15 s wait of an idle cleaner thread
     * before it looks again: left at that, the figure would time the wait after the trigger, not
     * the cleaning. {@code log.cleaner.io.max.bytes.per.second}: Kafka's default (unlimited) unless
     * {@code ioBytesPerSecondMax} is positive, the same on both.
     */
    public static Map<String, String> brokerSettings(long ioBytesPerSecondMax) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("log.cleaner.enable", "true");
        props.put("log.cleaner.threads", "1");
        props.put("log.cleaner.dedupe.buffer.size", Long.toString(128L << 20));
        props.put("log.cleaner.backoff.ms", "100");
        if (ioBytesPerSecondMax > 0) {
            props.put("log.cleaner.io.max.bytes.per.second", Long.toString(ioBytesPerSecondMax));
        }
        return props;
    }

    /** The compacted topic's segment.bytes: about {@link #SEGMENTS_WANTED} segments of data. */
    int segmentBytes() {
        return (int) Math.max(SEGMENT_BYTES_MIN, Math.min(1L << 30, dataBytes / SEGMENTS_WANTED));
    }
}
