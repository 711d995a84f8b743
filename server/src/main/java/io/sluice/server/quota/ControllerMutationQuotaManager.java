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
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.metrics.stats.TokenBucket;
import org.apache.kafka.common.utils.Time;

/**
 * {@code controller_mutation_rate} (KIP-599) as Kafka's {@code ControllerMutationQuotaManager}: the
 * partitions a client creates or deletes (CreateTopics, CreatePartitions, DeleteTopics) drain a
 * kafka-clients {@link TokenBucket} of burst bound × {@code controller.quota.window.num} ×
 * {@code controller.quota.window.size.seconds}, refilled at the bound per second. A strict quota
 * (newer request versions) refuses a topic once the bucket is below zero; a permissive one (older
 * versions) accepts it and throttles afterwards. Throttle time = tokens below zero / bound, in ms.
 * Owned by {@link BrokerQuotas}; thread-safe (each sensor is checked and recorded under its lock,
 * as in Kafka; the overrides are swapped whole).
 */
public final class ControllerMutationQuotaManager {
    static final String QUOTA_TYPE = "ControllerMutation";

    private final Metrics metrics;
    private final Time time;
    private final int windowNum;
    private final int windowSizeSeconds;
    private volatile QuotaOverrides overrides = QuotaOverrides.NONE;

    ControllerMutationQuotaManager(Metrics metrics, Time time, int windowNum, int windowSizeSeconds) {
        this.metrics = metrics;
        this.time = time;
        this.windowNum = windowNum;
        this.windowSizeSeconds = windowSizeSeconds;
    }

    public boolean enabled() {
        return !overrides.isEmpty();
    }

    /**
     * The quota for one request of {@code clientId}: strict when the request's version is at least
     * {@code strictSinceVersion} (Kafka's {@code newQuotaFor}), unbounded when no quota exists.
     */
    public MutationQuota newQuotaFor(String clientId, short version, short strictSinceVersion) {
        if (!enabled()) {
            return MutationQuota.UNBOUNDED;
        }
        return new MutationQuota(time, sensor(overrides.tags(BrokerQuotas.USER, clientId)),
            version >= strictSinceVersion);
    }

    /** Kafka's throttle time of a token bucket: the time to refill what is below zero. */
    static long throttleTimeMs(QuotaViolationException e) {
        if (!(e.metric().measurable() instanceof TokenBucket)) {
            throw new IllegalArgumentException("Metric " + e.metric().metricName() + " is not a TokenBucket");
        }
        return Math.round(-e.value() / e.bound() * 1000);
    }

    void update(QuotaOverrides next) {
        overrides = next;
        for (Map.Entry<MetricName, KafkaMetric> m : metrics.metrics().entrySet()) {
            MetricName name = m.getKey();
            if (name.group().equals(QUOTA_TYPE) && name.name().equals("tokens")) {
                QuotaTags tags = new QuotaTags(name.tags().getOrDefault(QuotaTags.USER_TAG, ""),
                    name.tags().getOrDefault(QuotaTags.CLIENT_ID_TAG, ""));
                m.getValue().config(config(next.limit(tags)));
            }
        }
    }

    private Sensor sensor(QuotaTags tags) {
        String name = QUOTA_TYPE + "-" + tags.sensorSuffix();
        Sensor sensor = metrics.getSensor(name);
        if (sensor != null) {
            return sensor;
        }
        synchronized (this) {
            sensor = metrics.getSensor(name);
            if (sensor == null) {
                sensor = metrics.sensor(name, null, ClientQuotaManager.INACTIVE_SENSOR_EXPIRATION_SECONDS);
                sensor.add(metrics.metricName("mutation-rate", QUOTA_TYPE, "Tracking mutation-rate per user/client-id",
                    tags.asMap()), new Rate());
                sensor.add(metrics.metricName("tokens", QUOTA_TYPE,
                    "Tracking remaining tokens in the token bucket per user/client-id", tags.asMap()),
                    new TokenBucket(), config(overrides.limit(tags)));
            }
            return sensor;
        }
    }

    private MetricConfig config(Double limit) {
        return new MetricConfig().timeWindow(windowSizeSeconds, TimeUnit.SECONDS).samples(windowNum)
            .quota(new Quota(limit == null ? Long.MAX_VALUE : limit, true));
    }

    /**
     * One request's mutation quota (Kafka's {@code ControllerMutationQuota}). Not thread-safe: one
     * per request, used by its handler.
     */
    public static final class MutationQuota {
        static final MutationQuota UNBOUNDED = new MutationQuota(null, null, false);

        private final Time time;
        private final Sensor sensor;
        private final boolean strict;
        private long lastThrottleTimeMs;
        private long lastRecordedTimeMs;

        private MutationQuota(Time time, Sensor sensor, boolean strict) {
            this.time = time;
            this.sensor = sensor;
            this.strict = strict;
        }

        /**
         * Charges {@code partitions} mutations; false when a strict quota is already exhausted, and
         * the topic must be refused with THROTTLING_QUOTA_EXCEEDED.
         */
        public boolean tryRecord(int partitions) {
            if (sensor == null || partitions <= 0) {
                return true; // nothing to charge (Kafka charges only topics that would change)
            }
            long nowMs = time.milliseconds();
            try {
                if (strict) {
                    synchronized (sensor) {
                        sensor.checkQuotas(nowMs);
                        sensor.record(partitions, nowMs, false);
                    }
                } else {
                    sensor.record(partitions, nowMs, true);
                }
                return true;
            } catch (QuotaViolationException e) {
                lastThrottleTimeMs = ControllerMutationQuotaManager.throttleTimeMs(e);
                lastRecordedTimeMs = nowMs;
                return !strict;
            }
        }

        /** Gives back mutations charged for a topic the quorum then refused (Kafka charges valid ones only). */
        public void unrecord(int partitions) {
            if (sensor != null && partitions > 0) {
                sensor.record(-partitions, time.milliseconds(), false);
            }
        }

        /** The throttle owed, less the time since it was computed (the request may have waited). */
        public int throttleTimeMs() {
            if (sensor == null) {
                return 0;
            }
            return (int) Math.max(0, lastThrottleTimeMs - (time.milliseconds() - lastRecordedTimeMs));
        }
    }
}
