package io.sluice.bench.broker.workload;

import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What a load needs to run against one started broker: where it is, which pid to observe, the run's
 * settings, and where to report progress. Client configs are built here so that both brokers get
 * exactly the same ones. Immutable (the admin client and live stats are thread-safe).
 *
 * @param broker    the target's name
 * @param rep       repetition, from 1
 * @param bootstrap bootstrap.servers
 * @param pids      the broker JVMs' pids (one per node; CPU is summed over them, peak RSS is their max)
 * @param admin     an admin client connected to it, owned by the caller
 * @param replication how the workloads' topics are replicated
 * @param settings  durations and sizes
 * @param live      progress counters
 */
public record LoadContext(String broker, int rep, String bootstrap, List<Long> pids, Admin admin,
                          Replication replication, LoadSettings settings, LiveStats live) {

    public LoadContext {
        pids = List.copyOf(pids);
    }

    /** The same context with other settings (a warm-up's durations). */
    public LoadContext with(LoadSettings other) {
        return new LoadContext(broker, rep, bootstrap, pids, admin, replication, other, live);
    }

    /** kafka-clients' producer defaults, except acks, batch.size, idempotence and {@code --producer-prop}s. */
    public Properties producerProps(String acks, int batchBytes) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-bench-producer");
        props.put(ProducerConfig.ACKS_CONFIG, acks);
        if (batchBytes > 0) {
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
        }
        // Explicit: idempotence needs acks=all, and both brokers must see the same producer.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, settings.idempotence() && "all".equals(acks));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putAll(settings.producerProps());
        return props;
    }

    /** kafka-clients' consumer defaults, no group (assign + seek): measures fetching, not the coordinator. */
    public Properties consumerProps() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-bench-consumer");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /** A topic name unique per broker, repetition and workload. */
    public String topic(Workload workload) {
        return "bench-" + workload.id() + "-r" + rep;
    }
}
