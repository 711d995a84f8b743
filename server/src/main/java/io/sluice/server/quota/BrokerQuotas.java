package io.sluice.server.quota;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.MetadataImage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;

/**
 * The broker's client quotas: one {@link ClientQuotaManager} per quota type (Produce, Fetch,
 * Request), fed from the metadata image as soon as a quota changes, and the throttle-time
 * counters on the Prometheus endpoint. The principal is always {@link #USER} (Sluice has no SASL
 * or TLS client auth), so user quotas match {@code ANONYMOUS} or the default user. Owned by the
 * broker; thread-safe (the "any quota?" flag is a volatile read, the managers are thread-safe).
 */
public final class BrokerQuotas implements AutoCloseable {
    /** The principal name of every Sluice client: Kafka's anonymous principal (already sanitized). */
    public static final String USER = "ANONYMOUS";

    private final Time time;
    private final Metrics metrics;
    private final ClientQuotaManager produce;
    private final ClientQuotaManager fetch;
    private final ClientQuotaManager request;
    private final ControllerMutationQuotaManager controllerMutation;
    private final CounterDataPoint produceThrottled;
    private final CounterDataPoint fetchThrottled;
    private final CounterDataPoint requestThrottled;
    private final CounterDataPoint controllerMutationThrottled;
    private volatile boolean enabled;
    private Map<ClientQuotaEntity, Map<String, Double>> applied = Map.of();

    /**
     * @param windowNum                   {@code quota.window.num}
     * @param windowSizeSeconds           {@code quota.window.size.seconds}
     * @param controllerWindowNum         {@code controller.quota.window.num}
     * @param controllerWindowSizeSeconds {@code controller.quota.window.size.seconds}
     */
    public BrokerQuotas(int windowNum, int windowSizeSeconds, int controllerWindowNum, int controllerWindowSizeSeconds,
                        Time time, PrometheusRegistry registry) {
        this.time = time;
        // Expiration on: a client's sensors go after an hour unused, as in Kafka.
        this.metrics = new Metrics(new MetricConfig(), List.of(), time, true);
        this.produce = new ClientQuotaManager(metrics, "Produce", "byte-rate", windowNum, windowSizeSeconds, Long.MAX_VALUE);
        this.fetch = new ClientQuotaManager(metrics, "Fetch", "byte-rate", windowNum, windowSizeSeconds, Long.MAX_VALUE);
        // Kafka caps a request-quota throttle at one window (ClientRequestQuotaManager).
        this.request = new ClientQuotaManager(metrics, "Request", "request-time", windowNum, windowSizeSeconds,
            TimeUnit.SECONDS.toMillis(windowSizeSeconds));
        this.controllerMutation = new ControllerMutationQuotaManager(metrics, time, controllerWindowNum,
            controllerWindowSizeSeconds);
        Counter throttled = Counter.builder().name("sluice_quota_throttle_seconds_total")
            .help("Time clients were throttled for, by the quota that throttled them (KIP-219: the "
                + "connection is muted that long after the response).")
            .labelNames("quota_type").withoutExemplars().register(registry);
        produceThrottled = throttled.labelValues("produce");
        fetchThrottled = throttled.labelValues("fetch");
        requestThrottled = throttled.labelValues("request");
        controllerMutationThrottled = throttled.labelValues("controller_mutation");
    }

    /** Whether any client quota exists at all; when not, the request path records nothing. */
    public boolean enabled() {
        return enabled;
    }

    public Time time() {
        return time;
    }

    public ClientQuotaManager produce() {
        return produce;
    }

    public ClientQuotaManager fetch() {
        return fetch;
    }

    public ClientQuotaManager request() {
        return request;
    }

    public ControllerMutationQuotaManager controllerMutation() {
        return controllerMutation;
    }

    /** A metadata listener: quotas change the moment the image that changed them is applied here. */
    public synchronized void onMetadata(MetadataImage image) {
        Map<ClientQuotaEntity, Map<String, Double>> quotas = image.clientQuotas();
        if (quotas == applied) {
            return; // the image shares the quota map until a quota changes
        }
        applied = quotas;
        produce.update(QuotaOverrides.of(quotas, QuotaKeys.PRODUCER_BYTE_RATE));
        fetch.update(QuotaOverrides.of(quotas, QuotaKeys.CONSUMER_BYTE_RATE));
        request.update(QuotaOverrides.of(quotas, QuotaKeys.REQUEST_PERCENTAGE));
        controllerMutation.update(QuotaOverrides.of(quotas, QuotaKeys.CONTROLLER_MUTATION_RATE));
        enabled = produce.enabled() || fetch.enabled() || request.enabled() || controllerMutation.enabled();
    }

    /** Counts a throttle of {@code throttleTimeMs} decided by {@code by} (and records Kafka's throttle-time sensor). */
    void throttled(ClientQuotaManager by, String clientId, int throttleTimeMs, long nowMs) {
        by.recordThrottle(USER, clientId, throttleTimeMs, nowMs);
        (by == produce ? produceThrottled : by == fetch ? fetchThrottled : requestThrottled).inc(throttleTimeMs / 1000.0);
    }

    /** Counts a throttle a controller mutation quota asked for (its handler put it in the response). */
    void throttledByControllerMutation(int throttleTimeMs) {
        controllerMutationThrottled.inc(throttleTimeMs / 1000.0);
    }

    @Override
    public void close() {
        metrics.close();
    }
}
