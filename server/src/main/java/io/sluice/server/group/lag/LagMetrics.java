package io.sluice.server.group.lag;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Supplier;

/**
 * The lag monitor's view as Prometheus gauges: lag in records and seconds per group and partition,
 * and each group's verdict as one series per status (1 for the current one, 0 for the others), the
 * usual shape of an enum in Prometheus. Read at scrape time. Stateless.
 */
public final class LagMetrics {

    private LagMetrics() { }

    public static void register(PrometheusRegistry registry, Supplier<LagMonitor.View> view) {
        GaugeWithCallback.builder().name("sluice_group_lag_records")
                .help("Records between a group's committed offset and the partition's end (-1: end unknown).")
                .labelNames("group", "topic", "partition")
                .callback(cb -> view.get().partitions().forEach(p -> cb.call(p.lagRecords(), p.group(),
                        p.partition().topic(), Integer.toString(p.partition().partition()))))
                .register(registry);
        GaugeWithCallback.builder().name("sluice_group_lag_seconds")
                .help("How long ago the next record a group reads was appended (0 at the end; -1 unknown).")
                .labelNames("group", "topic", "partition")
                .callback(cb -> view.get().partitions().forEach(p -> cb.call(p.timeLagMs() < 0 ? -1 : p.timeLagMs() / 1000.0,
                        p.group(), p.partition().topic(), Integer.toString(p.partition().partition()))))
                .register(registry);
        GaugeWithCallback.builder().name("sluice_group_lag_status")
                .help("A group's lag verdict over its last commits (Burrow's rules): 1 for the current status.")
                .labelNames("group", "status")
                .callback(cb -> view.get().groups().forEach((group, status) -> {
                    for (LagStatus s : LagStatus.values()) {
                        cb.call(s == status ? 1 : 0, group, s.name());
                    }
                }))
                .register(registry);
    }
}
