package io.sluice.server.group.it;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** kafka-clients 4.4.0 group consumers, a producer and an admin client for the group tests. */
final class GroupClients {

    private GroupClients() { }

    static Properties consumerProps(String bootstrap, String group, Map<String, String> extra) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.putAll(extra);
        return p;
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String group, Map<String, String> extra) {
        return new KafkaConsumer<>(consumerProps(bootstrap, group, extra));
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        return Admin.create(p);
    }

    static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Values "v&lt;i&gt;" for i in [from, from + count), record i to partition i % partitions. */
    static void produce(String bootstrap, String topic, int partitions, int from, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    /** A subscribed consumer polling on its own thread, recording what it gets and owns. */
    static final class Member implements AutoCloseable {
        final KafkaConsumer<String, String> consumer;
        final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        final Set<TopicPartition> assignment = new CopyOnWriteArraySet<>();
        final AtomicInteger rebalances = new AtomicInteger();
        /** Polls that returned; a rebalance a heartbeat asked for runs its callbacks inside the next one. */
        final AtomicLong polls = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        Member(String bootstrap, String group, String topic, Map<String, String> extra) {
            consumer = consumer(bootstrap, group, extra);
            thread = new Thread(() -> run(topic), "member-" + group);
            thread.setDaemon(true);
            thread.start();
        }

        private void run(String topic) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    rebalances.incrementAndGet();
                    assignment.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    rebalances.incrementAndGet();
                    assignment.addAll(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    assignment.removeAll(partitions);
                }
            });
            try {
                while (running) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        received.add(r.value());
                    }
                    polls.incrementAndGet();
                }
            } catch (WakeupException e) {
                // stopping
            } finally {
                consumer.close();
            }
        }

        /**
         * Heartbeat responses this member received, whatever their error (the client's
         * {@code heartbeat-total}, recorded before it reads the error). Safe from any thread: the
         * client's {@code metrics()} takes no lock of the consumer's.
         */
        double heartbeats() {
            return consumer.metrics().entrySet().stream()
                    .filter(e -> e.getKey().group().equals("consumer-coordinator-metrics")
                            && e.getKey().name().equals("heartbeat-total"))
                    .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                    .findFirst().orElseThrow(() -> new IllegalStateException("no heartbeat-total metric"));
        }

        /** Stops polling and closes the consumer (a dynamic member sends LeaveGroup). */
        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(30_000);
        }
    }
}
