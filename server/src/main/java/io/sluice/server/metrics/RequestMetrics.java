package io.sluice.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.server.protocol.ApiVersionsTable;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Per API: requests by version, errors by code, and where the time went, as Kafka's RequestMetrics
 * splits it. A request's life on a Sluice event loop:
 * <pre>
 *  read ──queue──▶ dispatch ──local──▶ handler returned ──remote──▶ response ready
 *       ──response queue──▶ written to the socket ──send──▶ last byte left
 * </pre>
 * queue: parsed and waiting for the connection's turn (back-pressure holds frames);
 * local: the handler's own work on the event loop; remote: waiting for replicas (acks=all), a
 * long-poll fetch, or the group coordinator; response queue: waiting behind earlier responses of
 * the same connection (responses go out in request order); send: until the bytes left.
 *
 * <p>Recording does not allocate: every (API, version) and (API, error) data point is resolved once
 * and kept in arrays, and the Prometheus data points themselves are lock-free. Thread-safe: all
 * event loops record concurrently.
 */
public final class RequestMetrics {

    private static final int API_KEYS = 128;
    private static final int ERROR_CODES = 256;
    private static final double NANOS_PER_SECOND = 1e9;

    private final ApiVersionsTable table;
    private final boolean enabled;
    private final Counter requests;
    private final Counter errors;
    private final Histogram[] phases;
    private final CounterDataPoint[][] requestsByVersion = new CounterDataPoint[API_KEYS][];
    private final DistributionDataPoint[][] phaseByApi = new DistributionDataPoint[Phase.values().length][API_KEYS];
    private final AtomicReferenceArray<CounterDataPoint> errorsByApiAndCode =
            new AtomicReferenceArray<>(API_KEYS * ERROR_CODES);
    /** Bound once: a lambda capturing the request would allocate per response. */
    private final ResponseErrors.Sink countError = this::countError;

    /** The stretches of a request's life, each its own histogram. */
    enum Phase {
        QUEUE("sluice_request_queue_seconds", "Time from the request's bytes arriving to its handling starting."),
        LOCAL("sluice_request_local_seconds", "Time the handler worked on the request on the network thread."),
        REMOTE("sluice_request_remote_seconds",
                "Time waiting for others: replicas for acks=all, data for a long-poll fetch, the group coordinator."),
        RESPONSE_QUEUE("sluice_response_queue_seconds",
                "Time a ready response waited behind earlier responses of its connection."),
        RESPONSE_SEND("sluice_response_send_seconds", "Time from writing a response to its last byte leaving."),
        TOTAL("sluice_request_total_seconds", "Time from a request's bytes arriving to its response's last byte leaving.");

        final String metricName;
        final String help;

        Phase(String metricName, String help) {
            this.metricName = metricName;
            this.help = help;
        }
    }

    /**
     * @param enabled false when no endpoint serves the registry ({@code sluice.metrics.listener}
     *                empty): then nothing is recorded, so turning metrics off removes their cost
     */
    public RequestMetrics(ApiVersionsTable table, PrometheusRegistry registry, boolean enabled) {
        this.table = table;
        this.enabled = enabled;
        requests = Counter.builder().name("sluice_requests_total")
                .help("Requests received, by API and version.")
                .labelNames("request", "version").withoutExemplars().register(registry);
        errors = Counter.builder().name("sluice_request_errors_total")
                .help("Error codes in responses, by API and code (NONE included), counted per partition or "
                        + "resource where the response carries one per item, as Kafka's ErrorsPerSec.")
                .labelNames("request", "error").withoutExemplars().register(registry);
        phases = new Histogram[Phase.values().length];
        for (Phase phase : Phase.values()) {
            phases[phase.ordinal()] = Histogram.builder().name(phase.metricName).help(phase.help)
                    .labelNames("request").classicOnly()
                    .classicExponentialUpperBounds(0.000_05, 2, 20) // 50 µs .. 26 s
                    .withoutExemplars().register(registry);
        }
        for (ApiVersionsTable.Range range : table.all()) {
            CounterDataPoint[] byVersion = new CounterDataPoint[range.maxVersion() + 1];
            for (short v = range.minVersion(); v <= range.maxVersion(); v++) {
                byVersion[v] = requests.labelValues(range.name(), Short.toString(v));
            }
            requestsByVersion[range.apiKey()] = byVersion;
            for (Phase phase : Phase.values()) {
                phaseByApi[phase.ordinal()][range.apiKey()] = phases[phase.ordinal()].labelValues(range.name());
            }
        }
    }

    /**
     * One answered request; times are {@link System#nanoTime()} readings. A request without a
     * response (acks=0 produce) passes {@code body == null} and its write times equal {@code readyNs}.
     */
    public void record(short apiKey, short version, long receivedNs, long dispatchedNs, long returnedNs,
                       long readyNs, long writeNs, long writtenNs, ApiMessage body) {
        if (!enabled) {
            return;
        }
        if (apiKey < 0 || apiKey >= API_KEYS || requestsByVersion[apiKey] == null) {
            return; // an API this table does not serve: answered by the version check, not counted
        }
        CounterDataPoint[] byVersion = requestsByVersion[apiKey];
        if (version >= 0 && version < byVersion.length && byVersion[version] != null) {
            byVersion[version].inc();
        }
        observe(Phase.QUEUE, apiKey, dispatchedNs - receivedNs);
        observe(Phase.LOCAL, apiKey, returnedNs - dispatchedNs);
        observe(Phase.REMOTE, apiKey, readyNs - returnedNs);
        observe(Phase.RESPONSE_QUEUE, apiKey, writeNs - readyNs);
        observe(Phase.RESPONSE_SEND, apiKey, writtenNs - writeNs);
        observe(Phase.TOTAL, apiKey, writtenNs - receivedNs);
        if (body != null) {
            ResponseErrors.forEach(body, version, countError);
        }
    }

    private void observe(Phase phase, short apiKey, long nanos) {
        phaseByApi[phase.ordinal()][apiKey].observe(Math.max(0, nanos) / NANOS_PER_SECOND);
    }

    private void countError(short apiKey, short code) {
        int slot = apiKey * ERROR_CODES + (code & 0xff);
        CounterDataPoint point = errorsByApiAndCode.get(slot);
        if (point == null) {
            point = errors.labelValues(table.range(apiKey).name(), Errors.forCode(code).name());
            errorsByApiAndCode.set(slot, point);
        }
        point.inc();
    }
}
