package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.Map;

/**
 * How long and how much each workload runs; the same for both brokers. Immutable.
 *
 * @param warmup        load before the measured window (JIT, page cache, batching settle)
 * @param duration      the measured window of the produce and end-to-end workloads
 * @param consumeBytes  bytes written before, then read by, each consume workload
 * @param idempotence   the producer's {@code enable.idempotence} (the same for both brokers)
 * @param producerProps producer configs set over the defaults for both brokers (e.g. {@code linger.ms=0})
 */
public record LoadSettings(Duration warmup, Duration duration, long consumeBytes, boolean idempotence,
                           Map<String, String> producerProps) {
    public LoadSettings {
        producerProps = Map.copyOf(producerProps);
    }
}
