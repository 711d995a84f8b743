package io.sluice.server.group.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A {@link KafkaShareConsumer} polling on its own thread (the consumer is single-threaded), in
 * explicit acknowledgement mode: {@code decide} picks each record's acknowledgement, committed at
 * once; null holds the record (the member stops polling) for {@link #HOLD_MS}, past its acquisition
 * lock, and then accepts it, too late. Every delivery is recorded in {@link #deliveries}, and each
 * one whose acknowledgement the broker confirmed (its partition's commit came back without an error)
 * in {@link #acknowledged}.
 */
final class ShareMemberThread implements AutoCloseable {

    /** Longer than the test broker's group.share.record.lock.duration.ms (2 s). */
    static final long HOLD_MS = 4000;

    /** One delivery: which member, the record's value and offset, and its delivery count. */
    record Delivery(int member, String value, long offset, int deliveryCount) { }

    final ConcurrentLinkedQueue<Delivery> deliveries;
    final ConcurrentLinkedQueue<Delivery> acknowledged = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    ShareMemberThread(int id, String bootstrap, String group, String topic, ConcurrentLinkedQueue<Delivery> deliveries,
                      Function<ConsumerRecord<String, String>, AcknowledgeType> decide) {
        this.deliveries = deliveries;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + id);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put("share.acknowledgement.mode", "explicit");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50");
        thread = new Thread(() -> {
            try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(p)) {
                c.subscribe(List.of(topic));
                while (running) {
                    List<ConsumerRecord<String, String>> held = new ArrayList<>();
                    List<Sent> sent = new ArrayList<>();
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        Delivery d = new Delivery(id, r.value(), r.offset(), r.deliveryCount().orElse((short) -1));
                        deliveries.add(d);
                        AcknowledgeType t = decide.apply(r);
                        if (t == null) {
                            held.add(r);
                        } else {
                            c.acknowledge(r, t);
                            sent.add(new Sent(r.topic(), r.partition(), d));
                        }
                    }
                    // Per-partition failures (a lock that ran out: INVALID_RECORD_STATE) are expected here.
                    recordConfirmed(sent, c.commitSync(Duration.ofSeconds(10)));
                    if (!held.isEmpty()) {
                        Thread.sleep(HOLD_MS);
                        held.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
                        c.commitSync(Duration.ofSeconds(10));
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }, "share-member-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    /** An acknowledgement sent in a commit: the record's partition and its delivery. */
    private record Sent(String topic, int partition, Delivery delivery) { }

    private void recordConfirmed(List<Sent> sent, Map<TopicIdPartition, Optional<KafkaException>> results) {
        for (Sent s : sent) {
            results.forEach((tp, error) -> {
                if (tp.topic().equals(s.topic()) && tp.partition() == s.partition() && error.isEmpty()) {
                    acknowledged.add(s.delivery());
                }
            });
        }
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
