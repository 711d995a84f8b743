package io.sluice.server.metrics;

import static io.sluice.server.metrics.Gauges.counter;
import static io.sluice.server.metrics.Gauges.gauge;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.replication.quota.ReplicationQuota;
import io.sluice.server.quota.ReplicationThrottles;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The replication throttles' state (Kafka's LeaderReplication / FollowerReplication {@code byte-rate}
 * and the throttle itself), one series per {@code side} (leader, follower), read at scrape time.
 * Registered once by the broker; thread-safe.
 */
public final class ReplicationThrottleGauges {

    private ReplicationThrottleGauges() { }

    public static void register(PrometheusRegistry registry, ReplicationThrottles throttles) {
        List<ReplicationQuota> sides = List.of(throttles.leader(), throttles.follower());
        counter(registry, "sluice_replication_throttled_bytes_total",
                "Record bytes of throttled replicas (*.replication.throttled.replicas) replicated, as counted against "
                        + "the replication quota: sent to followers (leader) or fetched from leaders (follower).",
                cb -> sides.forEach(q -> cb.call(q.recordedBytes(), side(q))), "side");
        perSide(registry, sides, "sluice_replication_throttled_rate_bytes_per_second",
                "Rate of throttled replication bytes over the quota window (replication.quota.window.num samples of "
                        + "replication.quota.window.size.seconds): Kafka's byte-rate, compared with the limit.",
                ReplicationQuota::byteRate);
        perSide(registry, sides, "sluice_replication_throttle_limit_bytes_per_second",
                "The replication throttle in force (leader.replication.throttled.rate, follower.replication.throttled.rate); "
                        + "+Inf when unthrottled.",
                q -> q.rateBytesPerSecond() == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : q.rateBytesPerSecond());
        perSide(registry, sides, "sluice_replication_throttle_exceeded",
                "1 while the throttled replication rate is over its limit: throttled replicas not in the ISR get no records.",
                q -> q.isQuotaExceeded() ? 1 : 0);
        counter(registry, "sluice_replication_throttled_partitions_total",
                "Times a throttled partition was answered without records (leader) or left out of a fetch (follower) "
                        + "because the replication throttle was exceeded.",
                cb -> sides.forEach(q -> cb.call(q.throttledPartitions(), side(q))), "side");
    }

    private static void perSide(PrometheusRegistry registry, List<ReplicationQuota> sides, String name, String help,
                                ToDoubleFunction<ReplicationQuota> value) {
        gauge(registry, name, help, cb -> sides.forEach(q -> cb.call(value.applyAsDouble(q), side(q))), "side");
    }

    private static String side(ReplicationQuota q) {
        return q.side().name().toLowerCase(Locale.ROOT);
    }
}
