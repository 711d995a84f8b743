package io.sluice.server.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** kafka-clients 4.4.0 producers, consumers and admin clients against a test broker. */
final class Clients {
    private Clients() { }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, String acks, boolean idempotent, String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(idempotent));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** A consumer without group.id: assign() and seek() only, no group coordinator needed. */
    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(p);
    }

    /** Partition 0 of a topic as the cluster describes it (leader, replicas, ISR, offline replicas). */
    static TopicPartitionInfo partition0(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().get(0);
    }

    /** The ids of nodes (a replica list, an ISR), sorted. */
    static Set<Integer> ids(List<Node> nodes) {
        Set<Integer> out = new TreeSet<>();
        nodes.forEach(n -> out.add(n.id()));
        return out;
    }

    /** Reads from the beginning of {@code partitions} until {@code count} records arrived (or the timeout). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, List<TopicPartition> partitions, int count,
                                                      Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * What {@link #readToEnd} got: the records, and per partition the end offset asked of the broker
     * when reading started and the position the consumer reached.
     */
    record ReadResult(List<ConsumerRecord<byte[], byte[]>> records, Map<TopicPartition, Long> endOffsets,
                      Map<TopicPartition, Long> positions) {

        /** Every partition was read up to the end offset it had when reading started. */
        boolean complete() {
            return endOffsets.entrySet().stream()
                    .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
        }

        /** Per partition: end offset, position reached, records read and the offsets they spanned. */
        String describe() {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<TopicPartition, Long> e : endOffsets.entrySet()) {
                TopicPartition tp = e.getKey();
                long n = 0;
                long first = -1;
                long last = -1;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.partition() == tp.partition() && r.topic().equals(tp.topic())) {
                        n++;
                        first = first < 0 ? r.offset() : Math.min(first, r.offset());
                        last = Math.max(last, r.offset());
                    }
                }
                sb.append(tp).append(": log end offset ").append(e.getValue())
                        .append(", read to ").append(positions.getOrDefault(tp, -1L))
                        .append(", ").append(n).append(" records (offsets ").append(first).append("..").append(last)
                        .append("); ");
            }
            return sb.toString();
        }
    }

    /**
     * Reads every partition from its beginning up to the end offset it has when reading starts (or
     * until the timeout; then {@link ReadResult#complete()} is false). Unlike a total record count,
     * this cannot stop early because another partition holds more records than expected.
     */
    static ReadResult readToEnd(String bootstrap, List<TopicPartition> partitions, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        Map<TopicPartition, Long> positions = new LinkedHashMap<>();
        Map<TopicPartition, Long> ends = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            ends.putAll(c.endOffsets(partitions, timeout));
            c.assign(partitions);
            c.seekToBeginning(partitions);
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                done = true;
                for (TopicPartition tp : partitions) {
                    long pos = c.position(tp, timeout);
                    positions.put(tp, pos);
                    done &= pos >= ends.get(tp);
                }
            }
        }
        return new ReadResult(out, ends, positions);
    }
}
