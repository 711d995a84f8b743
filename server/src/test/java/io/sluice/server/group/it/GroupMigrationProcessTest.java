package io.sluice.server.group.it;

import static io.sluice.server.group.it.GroupClients.admin;
import static io.sluice.server.group.it.GroupClients.createTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.it.BrokerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 online migration with kafka-clients 4.4 against a broker process: three classic
 * consumers share a 6-partition topic while a producer writes; they are restarted one by one with
 * {@code group.protocol=consumer} (the first upgrades the live group, the others join it), then one
 * by one back to classic (the last consumer-protocol member leaving downgrades it). Every produced
 * record is consumed and committed; a record consumed twice must come from a partition that moved
 * while its owner had consumed past its last commit (each member counts that uncommitted span when
 * it loses a partition).
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupMigrationProcessTest {

    static final String TOPIC = "migrate";
    static final String GROUP = "migrating";
    static final int PARTITIONS = 6;

    /** Times each record was consumed, by value "v&lt;i&gt;" (record i is on partition i % 6). */
    private final Map<String, Integer> consumed = new ConcurrentHashMap<>();
    /** Per partition: records consumed but not committed when a member lost it (the duplicates allowed). */
    private final Map<Integer, Long> uncommittedAtHandOff = new ConcurrentHashMap<>();

    /** A consumer committing after each poll, recording what it consumed and the spans it leaves uncommitted. */
    final class Member implements AutoCloseable {
        final String protocol;
        final Set<TopicPartition> assignment = new CopyOnWriteArraySet<>();
        private final KafkaConsumer<String, String> consumer;
        private final Thread thread;
        private final Map<TopicPartition, Long> consumedNext = new HashMap<>();
        private final Map<TopicPartition, Long> committedNext = new HashMap<>();
        private volatile boolean running = true;

        Member(String bootstrap, String protocol) {
            this.protocol = protocol;
            Map<String, String> extra = new HashMap<>();
            extra.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            extra.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            extra.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50");
            if (protocol.equals("consumer")) {
                // group.consumer.* settings are the broker's under the consumer protocol
                extra.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, null);
                extra.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, null);
            }
            Properties p = GroupClients.consumerProps(bootstrap, GROUP, Map.of());
            extra.forEach((k, v) -> {
                if (v == null) {
                    p.remove(k);
                } else {
                    p.put(k, v);
                }
            });
            consumer = new KafkaConsumer<>(p);
            thread = new Thread(this::run, "member-" + protocol);
            thread.setDaemon(true);
            thread.start();
        }

        private void handOff(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                long span = consumedNext.getOrDefault(tp, 0L) - committedNext.getOrDefault(tp, 0L);
                if (span > 0) {
                    uncommittedAtHandOff.merge(tp.partition(), span, Long::sum);
                }
                consumedNext.remove(tp);
                committedNext.remove(tp);
            }
            assignment.removeAll(partitions);
        }

        private void run() {
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    handOff(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    for (TopicPartition tp : partitions) {
                        OffsetAndMetadata c = consumer.committed(Set.of(tp)).get(tp);
                        committedNext.put(tp, c == null ? 0L : c.offset());
                        consumedNext.put(tp, c == null ? 0L : c.offset());
                    }
                    assignment.addAll(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    handOff(partitions);
                }
            });
            try {
                while (running) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                    for (ConsumerRecord<String, String> r : records) {
                        consumed.merge(r.value(), 1, Integer::sum);
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        consumedNext.put(tp, r.offset() + 1);
                        next.put(tp, new OffsetAndMetadata(r.offset() + 1));
                    }
                    if (!next.isEmpty()) {
                        commit(next);
                    }
                }
            } catch (WakeupException e) {
                // stopping
            } finally {
                consumer.close();
            }
        }

        private void commit(Map<TopicPartition, OffsetAndMetadata> next) {
            try {
                consumer.commitSync(next);
                next.forEach((tp, o) -> {
                    if (committedNext.containsKey(tp)) {
                        committedNext.put(tp, o.offset());
                    }
                });
            } catch (WakeupException e) {
                throw e; // closing
            } catch (KafkaException e) {
                // A commit refused during a rebalance (at-least-once: the next owner reads these again).
                System.out.println("commit by " + protocol + " member refused: " + e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(30_000);
        }
    }

    /** Writes "v&lt;i&gt;", record i to partition i % 6, until stopped. */
    static final class Producer implements AutoCloseable {
        final AtomicInteger produced = new AtomicInteger();
        private final Thread thread;
        private volatile boolean running = true;

        Producer(String bootstrap) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            thread = new Thread(() -> {
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                    while (running) {
                        int from = produced.get();
                        for (int i = from; i < from + 30; i++) {
                            producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "k" + i, "v" + i));
                        }
                        producer.flush();
                        produced.addAndGet(30);
                        Thread.sleep(100);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "producer");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }
    }

    @Test
    void classicGroupIsUpgradedMemberByMemberThenDowngradedWithoutLosingRecords() throws Exception {
        long startMs = System.currentTimeMillis();
        try (BrokerProcess broker = BrokerProcess.start(Map.of(
                "group.consumer.session.timeout.ms", "6000",
                "group.consumer.min.session.timeout.ms", "1000",
                "group.consumer.heartbeat.interval.ms", "300",
                "group.consumer.min.heartbeat.interval.ms", "100",
                "group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "1",
                "offsets.topic.replication.factor", "1"));
             Admin admin = admin(broker.bootstrap())) {
            String bootstrap = broker.bootstrap();
            createTopic(bootstrap, TOPIC, PARTITIONS);
            List<Member> members = new ArrayList<>();
            Producer producer = new Producer(bootstrap);
            try {
                for (int i = 0; i < 3; i++) {
                    members.add(new Member(bootstrap, "classic"));
                }
                awaitAllAssigned(members);
                assertThat(groupType(admin)).isEqualTo(GroupType.CLASSIC);
                for (String protocol : List.of("consumer", "classic")) {
                    for (int i = 0; i < 3; i++) {
                        int before = consumed.size();
                        members.get(i).close();
                        members.set(i, new Member(bootstrap, protocol));
                        awaitAllAssigned(members);
                        await().atMost(Duration.ofSeconds(20)).until(() -> consumed.size() > before);
                        GroupType type = groupType(admin);
                        System.out.printf("step: member %d now %s; group type %s; assignments %s%n", i, protocol, type,
                                members.stream().map(m -> m.protocol + m.assignment).toList());
                        boolean anyConsumerProtocol = members.stream().anyMatch(m -> m.protocol.equals("consumer"));
                        assertThat(type).isEqualTo(anyConsumerProtocol ? GroupType.CONSUMER : GroupType.CLASSIC);
                    }
                }
            } finally {
                producer.close();
            }
            int produced = producer.produced.get();
            awaitAllConsumedAndCommitted(admin, produced);
            for (Member m : members) {
                m.close();
            }
            Map<Integer, Long> duplicates = new TreeMap<>();
            consumed.forEach((v, n) -> {
                if (n > 1) {
                    duplicates.merge(Integer.parseInt(v.substring(1)) % PARTITIONS, (long) n - 1, Long::sum);
                }
            });
            System.out.printf("produced %d, consumed %d distinct, duplicates by partition %s, uncommitted at hand-offs %s,"
                    + " %d ms%n", produced, consumed.size(), duplicates, new TreeMap<>(uncommittedAtHandOff),
                    System.currentTimeMillis() - startMs);
            duplicates.forEach((p, n) -> assertThat(n).as("duplicates of partition %d", p)
                    .isLessThanOrEqualTo(uncommittedAtHandOff.getOrDefault(p, 0L)));
        }
    }

    /**
     * Every partition owned by exactly one member and two each, as the members see it: the new
     * member got its share, so the members it was taken from revoked first.
     */
    private static void awaitAllAssigned(List<Member> members) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Set<TopicPartition> all = new HashSet<>();
            for (Member m : members) {
                if (m.assignment.size() != PARTITIONS / members.size()) {
                    return false;
                }
                all.addAll(m.assignment);
            }
            return all.size() == PARTITIONS;
        });
    }

    private static GroupType groupType(Admin admin) throws Exception {
        return admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP).type();
    }

    /** Every produced record consumed, and the committed offsets at each partition's end. */
    private void awaitAllConsumedAndCommitted(Admin admin, int produced) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Set<String> missing = new HashSet<>();
            for (int i = 0; i < produced && missing.size() < 10; i++) {
                if (!consumed.containsKey("v" + i)) {
                    missing.add("v" + i);
                }
            }
            assertThat(missing).as("records produced and never consumed").isEmpty();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            var committed = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            ends.forEach((tp, end) -> assertThat(committed.get(tp)).as("committed offset of %s", tp).isNotNull()
                    .extracting(OffsetAndMetadata::offset).isEqualTo(end.offset()));
        });
    }
}
