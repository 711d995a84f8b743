package io.sluice.server.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** Registration shorthands for metrics read at scrape time. Stateless. */
final class Gauges {

    private Gauges() { }

    static void gauge(PrometheusRegistry registry, String name, String help, Consumer<GaugeWithCallback.Callback> read,
                      String... labelNames) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(labelNames).callback(read).register(registry);
    }

    static void gauge(PrometheusRegistry registry, String name, String help, LongSupplier value) {
        gauge(registry, name, help, cb -> cb.call(value.getAsLong()));
    }

    static void counter(PrometheusRegistry registry, String name, String help, LongSupplier value) {
        counter(registry, name, help, cb -> cb.call(value.getAsLong()));
    }

    static void counter(PrometheusRegistry registry, String name, String help, Consumer<CounterWithCallback.Callback> read,
                        String... labelNames) {
        CounterWithCallback.builder().name(name).help(help).labelNames(labelNames).callback(read).register(registry);
    }
}
