package io.sluice.replication.quota;

import io.sluice.metadata.config.ThrottledReplicas;
import io.sluice.replication.Partition;
import io.sluice.replication.role.LeaderRole;
import io.sluice.storage.TopicPartitionId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Quota;
import org.apache.kafka.common.metrics.QuotaViolationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.SimpleRate;
import org.apache.kafka.common.utils.Time;

/**
 * One side's replication throttle, as Kafka's ReplicationQuotaManager: the partitions this broker
 * throttles ({@code leader.replication.throttled.replicas} or {@code follower.replication.throttled.replicas}
 * of each topic, the entries naming this broker) and a kafka-clients {@link Sensor} measuring the bytes
 * of those partitions with a {@link SimpleRate} over {@code replication.quota.window.num} samples of
 * {@code replication.quota.window.size.seconds}, bounded by {@code leader.replication.throttled.rate} or
 * {@code follower.replication.throttled.rate} (bytes/s; {@link Long#MAX_VALUE}: unthrottled).
 *
 * <p>As in Kafka, a read or fetch first asks {@link #isQuotaExceeded()} and leaves a throttled
 * partition of an out-of-sync replica out while it is; what was moved is then {@link #record}ed
 * whatever the quota, so the rate holds over the window and a burst is paid for by the next ones.
 * Owned by the broker (leader side: the Fetch handler; follower side: the replica fetchers);
 * thread-safe (the sensor is; the throttled set and the bound are swapped whole).
 */
public final class ReplicationQuota {

    /** Which side is throttled; the name is Kafka's QuotaType, the metric group. */
    public enum Side {
        LEADER("LeaderReplication"), FOLLOWER("FollowerReplication");

        private final String quotaType;

        Side(String quotaType) {
            this.quotaType = quotaType;
        }
    }

    private final Side side;
    private final Time time;
    private final int windowNum;
    private final int windowSizeSeconds;
    private final Metrics metrics;
    private final MetricName rateMetric;
    private final Sensor sensor;
    private final LongAdder recordedBytes = new LongAdder();
    private final LongAdder throttledPartitions = new LongAdder();
    private volatile long rateBytesPerSecond = Long.MAX_VALUE;
    private volatile Map<String, ThrottledReplicas.Partitions> throttled = Map.of();

    public ReplicationQuota(Side side, int windowNum, int windowSizeSeconds, Time time) {
        if (windowNum < 1 || windowSizeSeconds < 1) {
            throw new IllegalArgumentException("replication.quota.window.num and replication.quota.window.size.seconds "
                    + "must be at least 1, not " + windowNum + " and " + windowSizeSeconds);
        }
        this.side = side;
        this.time = time;
        this.windowNum = windowNum;
        this.windowSizeSeconds = windowSizeSeconds;
        this.metrics = new Metrics(new MetricConfig(), List.of(), time);
        this.rateMetric = metrics.metricName("byte-rate", side.quotaType, "Tracking byte-rate for " + side.quotaType);
        this.sensor = metrics.sensor(side.quotaType);
        sensor.add(rateMetric, new SimpleRate(), metricConfig(Long.MAX_VALUE));
    }

    public Side side() {
        return side;
    }

    /** The dynamic {@code *.replication.throttled.rate} in force, bytes/s. */
    public void updateRate(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("a replication throttled rate must be at least 0, not " + bytesPerSecond);
        }
        if (bytesPerSecond != rateBytesPerSecond) {
            rateBytesPerSecond = bytesPerSecond;
            KafkaMetric metric = metrics.metric(rateMetric);
            metric.config(metricConfig(bytesPerSecond));
        }
    }

    public long rateBytesPerSecond() {
        return rateBytesPerSecond;
    }

    /** Replaces the throttled partitions: topic → those of its partitions this broker throttles. */
    public void setThrottled(Map<String, ThrottledReplicas.Partitions> byTopic) {
        throttled = Map.copyOf(byTopic);
    }

    public boolean isThrottled(TopicPartitionId tp) {
        ThrottledReplicas.Partitions p = throttled.get(tp.topic());
        return p != null && p.contains(tp.partition());
    }

    /** Whether any partition is throttled on this side here. */
    public boolean throttlesAny() {
        return !throttled.isEmpty();
    }

    /** Whether the measured rate of throttled bytes is over the bound now (Kafka's isQuotaExceeded). */
    public boolean isQuotaExceeded() {
        try {
            sensor.checkQuotas(time.milliseconds());
            return false;
        } catch (QuotaViolationException e) {
            return true;
        }
    }

    /**
     * Kafka's shouldLeaderThrottle, for the leader side: a follower's fetch of {@code leader} gets no
     * records when the partition is throttled here, the follower is not in its ISR and the quota is
     * exceeded now; counted in {@link #throttledPartitions()} when so.
     */
    public boolean shouldThrottleFollowerFetch(Partition leader, int replicaId) {
        if (!isThrottled(leader.id())) {
            return false;
        }
        if (leader.role() instanceof LeaderRole role) {
            for (int r : role.isr()) {
                if (r == replicaId) {
                    return false;
                }
            }
        }
        if (!isQuotaExceeded()) {
            return false;
        }
        throttled();
        return true;
    }

    /** Adds bytes of throttled partitions that were moved, even past the bound (Kafka's record). */
    public void record(long bytes) {
        if (bytes > 0) {
            recordedBytes.add(bytes);
            sensor.record(bytes, time.milliseconds(), false);
        }
    }

    /** A throttled partition was left out of a fetch (follower) or answered without records (leader). */
    public void throttled() {
        throttledPartitions.increment();
    }

    /** Times a partition was throttled, since start. */
    public long throttledPartitions() {
        return throttledPartitions.sum();
    }

    /** The measured rate of throttled bytes, bytes/s (Kafka's {@code byte-rate} metric). */
    public double byteRate() {
        return (double) metrics.metric(rateMetric).metricValue();
    }

    /** Bytes of throttled partitions moved since start. */
    public long recordedBytes() {
        return recordedBytes.sum();
    }

    private MetricConfig metricConfig(long bytesPerSecond) {
        return new MetricConfig().timeWindow(windowSizeSeconds, TimeUnit.SECONDS).samples(windowNum)
                .quota(Quota.upperBound(bytesPerSecond));
    }
}
