package io.sluice.server.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.server.config.MetricsListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's metrics endpoint: Prometheus text format at {@code /metrics} (OpenMetrics when the
 * scraper asks for it, which the Prometheus client negotiates), plus the client's JVM metrics.
 * Scrapes are served by one daemon thread with a bounded queue, so a scraper storm cannot take
 * threads from the broker. Owned by the broker; close once. Thread-safe.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final int SCRAPE_QUEUE_MAX = 16;

    private final HTTPServer http;

    private MetricsServer(HTTPServer http) {
        this.http = http;
    }

    /** Starts the endpoint on {@code listener}, serving {@code registry} and the JVM's metrics. */
    public static MetricsServer start(MetricsListener listener, PrometheusRegistry registry) {
        JvmMetrics.builder().register(registry);
        ExecutorService scrapes = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(SCRAPE_QUEUE_MAX), r -> {
                    Thread t = new Thread(r, "sluice-metrics-http");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.DiscardPolicy());
        try {
            HTTPServer http = HTTPServer.builder().hostname(listener.host()).port(listener.port())
                    .registry(registry).executorService(scrapes).buildAndStart();
            LOG.info("Metrics on http://{}:{}/metrics", listener.host(), http.getPort());
            return new MetricsServer(http);
        } catch (IOException e) {
            scrapes.shutdownNow();
            throw new UncheckedIOException("cannot listen for metrics on http://" + listener.host() + ":"
                    + listener.port() + " (" + MetricsListener.SETTING + "): " + e.getMessage(), e);
        }
    }

    public int port() {
        return http.getPort();
    }

    @Override
    public void close() {
        http.close();
    }
}
