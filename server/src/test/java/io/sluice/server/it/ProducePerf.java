package io.sluice.server.it;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A kafka-producer-perf-test-style client for quick first figures (the real side-by-side harness
 * lives in bench/): {@code ProducePerf <bootstrap> <topic> <records> <recordBytes> <acks>} sends
 * fixed-size records as fast as the producer allows and prints records/s and MB/s.
 */
public final class ProducePerf {
    private ProducePerf() { }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int records = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        String acks = args[4];
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        byte[] value = new byte[size];
        for (int i = 0; i < size; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        AtomicLong errors = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            // Warm-up: metadata and topic creation, not measured.
            producer.send(new ProducerRecord<>(topic, value)).get();
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, value), (md, e) -> {
                    if (e != null) {
                        errors.incrementAndGet();
                    }
                });
            }
            producer.flush();
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("records=%d size=%d acks=%s: %.0f records/s, %.1f MB/s, %.2f s, errors=%d%n", records, size,
                    acks, records / secs, records * (double) size / secs / (1024 * 1024), secs, errors.get());
        }
    }
}
