package io.sluice.server.quota;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Quota;
import org.apache.kafka.common.metrics.QuotaViolationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.Rate;

/**
 * One quota type (Produce, Fetch or Request) measured as Kafka's broker measures it
 * ({@code ClientQuotaManager}): a kafka-clients {@link Sensor} per set of {@link QuotaTags} with a
 * {@link Rate} over {@code quota.window.num} samples of {@code quota.window.size.seconds}, bounded
 * by a {@link Quota}; a recording that takes the rate over the bound raises
 * {@link QuotaViolationException}, turned into a throttle time by Kafka's formula. Owned by
 * {@link BrokerQuotas}; thread-safe (sensors are; the overrides are swapped whole).
 */
public final class ClientQuotaManager {
    /** Kafka's {@code ClientQuotaManager.InactiveSensorExpirationTimeSeconds}. */
    static final long INACTIVE_SENSOR_EXPIRATION_SECONDS = 3600;

    private final Metrics metrics;
    private final String quotaType;
    private final String rateMetricName;
    private final int windowNum;
    private final int windowSizeSeconds;
    private final long throttleTimeMsMax;
    private volatile QuotaOverrides overrides = QuotaOverrides.NONE;

    /**
     * @param quotaType         Kafka's QuotaType name: "Produce", "Fetch" or "Request" (the metric group)
     * @param rateMetricName    "byte-rate" for bandwidth, "request-time" for the request quota
     * @param throttleTimeMsMax cap on one throttle (Kafka caps only the request quota: one window)
     */
    ClientQuotaManager(Metrics metrics, String quotaType, String rateMetricName, int windowNum, int windowSizeSeconds,
                       long throttleTimeMsMax) {
        this.metrics = metrics;
        this.quotaType = quotaType;
        this.rateMetricName = rateMetricName;
        this.windowNum = windowNum;
        this.windowSizeSeconds = windowSizeSeconds;
        this.throttleTimeMsMax = throttleTimeMsMax;
    }

    /** Whether any quota of this type exists: when not, nothing is recorded (Kafka's quotasEnabled). */
    public boolean enabled() {
        return !overrides.isEmpty();
    }

    public String quotaType() {
        return quotaType;
    }

    /**
     * Records {@code value} for the client and returns how long it must be throttled (0: within
     * its quota). Call only when {@link #enabled()}.
     */
    public int recordAndGetThrottleTimeMs(String user, String clientId, double value, long nowMs) {
        Sensor sensor = quotaSensor(overrides.tags(user, clientId));
        try {
            sensor.record(value, nowMs, true);
            return 0;
        } catch (QuotaViolationException e) {
            return (int) Math.min(throttleTimeMs(e, nowMs), throttleTimeMsMax);
        }
    }

    /**
     * The most one recording may be without being throttled however idle the client was: the
     * bound over the window the rate divides by at least (Kafka's {@code getMaxValueInQuotaWindow});
     * {@link Double#MAX_VALUE} without a quota. Fetches are capped to it, or a response larger than
     * this would be throttled, answered empty, and asked for again forever.
     */
    public double maxValueInQuotaWindow(String user, String clientId) {
        Double limit = overrides.limit(overrides.tags(user, clientId));
        return limit == null ? Double.MAX_VALUE : limit * (windowNum - 1) * windowSizeSeconds;
    }

    /**
     * Takes back a recorded value: a throttled fetch answers empty, so its bytes were not sent
     * (Kafka's {@code unrecordQuotaSensor}).
     */
    public void unrecord(String user, String clientId, double value, long nowMs) {
        quotaSensor(overrides.tags(user, clientId)).record(-value, nowMs, false);
    }

    /** Records a throttle in the client's throttle-time sensor (Kafka's {@code throttle-time} avg). */
    public void recordThrottle(String user, String clientId, int throttleTimeMs, long nowMs) {
        QuotaTags tags = overrides.tags(user, clientId);
        String name = quotaType + "ThrottleTime-" + tags.sensorSuffix();
        Sensor sensor = metrics.getSensor(name);
        if (sensor == null) {
            synchronized (this) {
                sensor = metrics.sensor(name, null, INACTIVE_SENSOR_EXPIRATION_SECONDS);
                sensor.add(metrics.metricName("throttle-time", quotaType,
                    "Tracking average throttle-time per user/client-id", tags.asMap()), new Avg());
            }
        }
        sensor.record(throttleTimeMs, nowMs);
    }

    /**
     * Kafka's {@code QuotaUtils.throttleTime}: how long until the observed rate is back at the
     * bound, over the rate's own window: (value - bound) / bound × window.
     */
    static long throttleTimeMs(QuotaViolationException e, long nowMs) {
        double difference = e.value() - e.bound();
        KafkaMetric metric = e.metric();
        long windowMs = ((Rate) metric.measurable()).windowSize(metric.config(), nowMs);
        return Math.round(difference / e.bound() * windowMs);
    }

    /** New quotas: later recordings use them, and existing sensors get their new bound at once. */
    void update(QuotaOverrides next) {
        overrides = next;
        for (Map.Entry<MetricName, KafkaMetric> m : metrics.metrics().entrySet()) {
            MetricName name = m.getKey();
            if (name.group().equals(quotaType) && name.name().equals(rateMetricName)) {
                QuotaTags tags = new QuotaTags(name.tags().getOrDefault(QuotaTags.USER_TAG, ""),
                    name.tags().getOrDefault(QuotaTags.CLIENT_ID_TAG, ""));
                m.getValue().config(config(next.limit(tags)));
            }
        }
    }

    private Sensor quotaSensor(QuotaTags tags) {
        String name = quotaType + "-" + tags.sensorSuffix();
        Sensor sensor = metrics.getSensor(name);
        if (sensor != null) {
            return sensor;
        }
        synchronized (this) {
            sensor = metrics.getSensor(name);
            if (sensor == null) {
                sensor = metrics.sensor(name, null, INACTIVE_SENSOR_EXPIRATION_SECONDS);
                MetricName metricName = metrics.metricName(rateMetricName, quotaType,
                    "Tracking " + rateMetricName + " per user/client-id", tags.asMap());
                sensor.add(metricName, new Rate(), config(overrides.limit(tags)));
            }
            return sensor;
        }
    }

    /** Kafka's quota metric config; no quota is Kafka's "unlimited" bound, Long.MAX_VALUE. */
    private MetricConfig config(Double limit) {
        return new MetricConfig().timeWindow(windowSizeSeconds, TimeUnit.SECONDS).samples(windowNum)
            .quota(new Quota(limit == null ? Long.MAX_VALUE : limit, true));
    }
}
