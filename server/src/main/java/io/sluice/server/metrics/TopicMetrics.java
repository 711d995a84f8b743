package io.sluice.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Per-topic traffic, as Kafka's BrokerTopicMetrics: bytes and records in from producers, bytes out
 * to consumers, produce and fetch requests per partition, and the failed ones. Bytes a follower
 * fetches count as replication bytes out, not as bytes out, as in Kafka. A topic's data points are
 * resolved on its first use and kept; recording after that does not allocate. Thread-safe.
 */
public final class TopicMetrics {

    /** The data points of one topic, resolved once. */
    private record Meters(CounterDataPoint bytesIn, CounterDataPoint recordsIn, CounterDataPoint bytesOut,
                          CounterDataPoint replicationBytesOut, CounterDataPoint produceRequests, CounterDataPoint fetchRequests,
                          CounterDataPoint failedProduceRequests, CounterDataPoint failedFetchRequests) { }

    private final boolean enabled;
    private final Counter bytesIn;
    private final Counter recordsIn;
    private final Counter bytesOut;
    private final Counter replicationBytesOut;
    private final Counter produceRequests;
    private final Counter fetchRequests;
    private final Counter failedProduceRequests;
    private final Counter failedFetchRequests;
    private final ConcurrentHashMap<String, Meters> byTopic = new ConcurrentHashMap<>();
    private final Function<String, Meters> resolve = this::resolve;

    /** @param enabled false when no endpoint serves the registry: then nothing is recorded */
    public TopicMetrics(PrometheusRegistry registry, boolean enabled) {
        this.enabled = enabled;
        bytesIn = counter(registry, "sluice_topic_bytes_in_total", "Bytes of record batches appended from producers.");
        recordsIn = counter(registry, "sluice_topic_records_in_total", "Records appended from producers.");
        bytesOut = counter(registry, "sluice_topic_bytes_out_total", "Bytes of records sent to consumers.");
        replicationBytesOut = counter(registry, "sluice_topic_replication_bytes_out_total",
                "Bytes of records sent to follower replicas.");
        produceRequests = counter(registry, "sluice_topic_produce_requests_total",
                "Partition appends asked for by produce requests.");
        fetchRequests = counter(registry, "sluice_topic_fetch_requests_total",
                "Partition reads asked for by consumer fetch requests.");
        failedProduceRequests = counter(registry, "sluice_topic_failed_produce_requests_total",
                "Partition appends answered with an error.");
        failedFetchRequests = counter(registry, "sluice_topic_failed_fetch_requests_total",
                "Consumer partition reads answered with an error.");
    }

    private static Counter counter(PrometheusRegistry registry, String name, String help) {
        return Counter.builder().name(name).help(help).labelNames("topic").withoutExemplars().register(registry);
    }

    /** One partition append of a produce request: its batch bytes and records, or an error. */
    public void produced(String topic, int bytes, long records, boolean failed) {
        if (!enabled) {
            return;
        }
        Meters m = meters(topic);
        m.produceRequests.inc();
        if (failed) {
            m.failedProduceRequests.inc();
        } else {
            m.bytesIn.inc(bytes);
            m.recordsIn.inc(records);
        }
    }

    /** One partition of a fetch response: the record bytes it carries, or an error. */
    public void fetched(String topic, long bytes, boolean failed, boolean follower) {
        if (!enabled) {
            return;
        }
        Meters m = meters(topic);
        if (follower) {
            if (bytes > 0) {
                m.replicationBytesOut.inc(bytes);
            }
            return;
        }
        m.fetchRequests.inc();
        if (failed) {
            m.failedFetchRequests.inc();
        } else if (bytes > 0) {
            m.bytesOut.inc(bytes);
        }
    }

    /** Drops a deleted topic's series, as Kafka removes its topic metrics. */
    public void forget(String topic) {
        if (byTopic.remove(topic) != null) {
            for (Counter c : new Counter[] {bytesIn, recordsIn, bytesOut, replicationBytesOut, produceRequests,
                    fetchRequests, failedProduceRequests, failedFetchRequests}) {
                c.remove(topic);
            }
        }
    }

    private Meters meters(String topic) {
        Meters m = byTopic.get(topic);
        return m != null ? m : byTopic.computeIfAbsent(topic, resolve);
    }

    private Meters resolve(String topic) {
        return new Meters(bytesIn.labelValues(topic), recordsIn.labelValues(topic), bytesOut.labelValues(topic),
                replicationBytesOut.labelValues(topic), produceRequests.labelValues(topic), fetchRequests.labelValues(topic),
                failedProduceRequests.labelValues(topic), failedFetchRequests.labelValues(topic));
    }
}
