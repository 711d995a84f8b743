package io.sluice.server.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.storage.segment.FlushTimer;

/**
 * The time log flushes spend forcing segments to disk, as Kafka's {@code LogFlushRateAndTimeMs}: a
 * histogram fed by the storage module through {@link FlushTimer}. Recording does not allocate.
 * Owned by the broker; thread-safe (flushes run on the flush schedule, rolls and closes).
 */
public final class LogFlushMetrics implements FlushTimer {

    private static final double NANOS_PER_SECOND = 1e9;

    private final boolean enabled;
    private final Histogram flushSeconds;

    /** @param enabled false when no endpoint serves the registry: then nothing is recorded */
    public LogFlushMetrics(PrometheusRegistry registry, boolean enabled) {
        this.enabled = enabled;
        flushSeconds = Histogram.builder().name("sluice_log_flush_seconds")
                .help("Time a log flush spent forcing its unflushed segments to disk (fsync), as Kafka's "
                        + "LogFlushRateAndTimeMs; the count is the number of flushes.")
                .classicOnly().classicExponentialUpperBounds(0.000_05, 2, 20) // 50 µs .. 26 s
                .withoutExemplars().register(registry);
    }

    @Override
    public void flushed(long nanos) {
        if (enabled) {
            flushSeconds.observe(nanos / NANOS_PER_SECOND);
        }
    }
}
