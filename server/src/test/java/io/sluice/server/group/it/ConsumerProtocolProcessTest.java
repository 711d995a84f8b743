package io.sluice.server.group.it;

import static io.sluice.server.group.it.GroupClients.admin;
import static io.sluice.server.group.it.GroupClients.createTopic;
import static io.sluice.server.group.it.GroupClients.produce;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 consumer groups ({@code group.protocol=consumer}) with kafka-clients 4.4's consumer
 * against a broker process: the broker assigns, members reconcile incrementally, offsets carry
 * member epochs, regex subscriptions follow new topics, static members come back without a
 * rebalance.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsumerProtocolProcessTest {

    private static BrokerProcess broker;
    /** The broker the members and clients of a test talk to (another test class may point it at its own). */
    static volatile String bootstrap;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(Map.of(
                "group.consumer.session.timeout.ms", "6000",
                "group.consumer.min.session.timeout.ms", "1000",
                "group.consumer.heartbeat.interval.ms", "300",
                "group.consumer.min.heartbeat.interval.ms", "100",
                "offsets.topic.num.partitions", "5",
                "offsets.topic.replication.factor", "1",
                "offsets.topic.segment.bytes", "1048576"));
        bootstrap = broker.bootstrap();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    static Properties props(String group, Map<String, String> extra) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.putAll(extra);
        return p;
    }

    /** A KIP-848 consumer polling on its own thread, recording what it receives and owns. */
    static final class Member implements AutoCloseable {
        final KafkaConsumer<String, String> consumer;
        final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        final Set<TopicPartition> assignment = new CopyOnWriteArraySet<>();
        /** Rebalance callbacks run (assigned, revoked or lost). */
        final AtomicInteger callbacks = new AtomicInteger();
        private final Thread thread;
        private volatile boolean running = true;

        Member(String group, Map<String, String> extra,
               BiConsumer<KafkaConsumer<String, String>, ConsumerRebalanceListener> subscribe) {
            consumer = new KafkaConsumer<>(props(group, extra));
            ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    callbacks.incrementAndGet();
                    assignment.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    callbacks.incrementAndGet();
                    assignment.addAll(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    callbacks.incrementAndGet();
                    assignment.removeAll(partitions);
                }
            };
            thread = new Thread(() -> {
                subscribe.accept(consumer, listener);
                try {
                    while (running) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                            received.add(r.value());
                        }
                    }
                } catch (WakeupException e) {
                    // stopping
                } finally {
                    consumer.close();
                }
            }, "member-" + group);
            thread.setDaemon(true);
            thread.start();
        }

        static Member ofTopic(String group, String topic, Map<String, String> extra) {
            return new Member(group, extra, (c, l) -> c.subscribe(List.of(topic), l));
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(30_000);
        }
    }

    private static Set<String> values(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "v" + i).collect(Collectors.toSet());
    }

    private static void awaitDisjointCover(List<Member> members, int partitions) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<TopicPartition> all = new HashSet<>();
            int total = 0;
            for (Member m : members) {
                all.addAll(m.assignment);
                total += m.assignment.size();
            }
            assertThat(total).isEqualTo(partitions);
            assertThat(all).hasSize(partitions);
        });
    }

    private static void assertEachOnce(List<Member> members, Set<String> expected) {
        List<String> all = new ArrayList<>();
        members.forEach(m -> all.addAll(m.received));
        assertThat(new HashSet<>(all)).isEqualTo(expected);
        assertThat(all).as("no record consumed twice").hasSize(expected.size());
    }

    @Test
    void threeMembersSplitSixPartitionsAndAMemberJoiningAndLeavingLosesAndRepeatsNothing() throws Exception {
        createTopic(broker.bootstrap(), "split", 6);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(Member.ofTopic("split-g", "split", Map.of()));
        }
        List<Member> everyone = new ArrayList<>(members);
        try {
            awaitDisjointCover(members, 6);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    members.forEach(m -> assertThat(m.assignment).hasSize(2)));
            produce(broker.bootstrap(), "split", 6, 0, 600);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEachOnce(everyone, values(0, 600)));

            Member fourth = Member.ofTopic("split-g", "split", Map.of());
            members.add(fourth);
            everyone.add(fourth);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(fourth.assignment).isNotEmpty());
            awaitDisjointCover(members, 6);
            produce(broker.bootstrap(), "split", 6, 600, 600);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEachOnce(everyone, values(0, 1200)));

            members.remove(fourth);
            fourth.close(); // leaves with epoch -1: its partitions go back to the others
            awaitDisjointCover(members, 6);
            produce(broker.bootstrap(), "split", 6, 1200, 600);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEachOnce(everyone, values(0, 1800)));
        } finally {
            for (Member m : members) {
                m.close();
            }
        }
    }

    @Test
    void committedOffsetsReadBackAndTheGroupIsListedAndDescribedAsAConsumerGroup() throws Exception {
        createTopic(broker.bootstrap(), "commits", 2);
        produce(broker.bootstrap(), "commits", 2, 0, 20);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props("commits-g",
                Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")))) {
            c.subscribe(List.of("commits"));
            int got = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (got < 20 && System.currentTimeMillis() < deadline) {
                got += c.poll(Duration.ofMillis(200)).count();
            }
            assertThat(got).isEqualTo(20);
            c.commitSync();
            TopicPartition p0 = new TopicPartition("commits", 0);
            TopicPartition p1 = new TopicPartition("commits", 1);
            assertThat(c.committed(Set.of(p0, p1))).containsEntry(p0, new OffsetAndMetadata(10, c.committed(Set.of(p0))
                    .get(p0).leaderEpoch(), "")).hasSize(2);
            assertThat(c.committed(Set.of(p1)).get(p1).offset()).isEqualTo(10);
            try (Admin admin = admin(broker.bootstrap())) {
                Map<TopicPartition, OffsetAndMetadata> offsets =
                        admin.listConsumerGroupOffsets("commits-g").partitionsToOffsetAndMetadata().get();
                assertThat(offsets.get(p0).offset()).isEqualTo(10);
                assertThat(offsets.get(p1).offset()).isEqualTo(10);
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("commits-g")).all().get().get("commits-g");
                assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
                assertThat(d.members()).hasSize(1);
                assertThat(d.members().iterator().next().assignment().topicPartitions()).containsExactlyInAnyOrder(p0, p1);
                Collection<GroupListing> listed = admin.listGroups().all().get();
                assertThat(listed).anySatisfy(g -> {
                    assertThat(g.groupId()).isEqualTo("commits-g");
                    assertThat(g.type()).contains(GroupType.CONSUMER);
                });
            }
        }
    }

    @Test
    void aRegexSubscriptionPicksUpATopicCreatedLater() throws Exception {
        createTopic(broker.bootstrap(), "rx-a", 2);
        try (Member m = new Member("rx-g", Map.of(), (c, l) -> c.subscribe(new SubscriptionPattern("rx-.*"), l))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(m.assignment).hasSize(2));
            createTopic(broker.bootstrap(), "rx-b", 3);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(m.assignment).hasSize(5)
                    .contains(new TopicPartition("rx-b", 2)));
            produce(broker.bootstrap(), "rx-b", 3, 0, 30);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(new HashSet<>(m.received))
                    .isEqualTo(values(0, 30)));
        }
    }

    @Test
    void aStaticMemberRestartingWithinItsSessionGetsItsPartitionsBackWithoutANewGroupEpoch() throws Exception {
        createTopic(broker.bootstrap(), "static", 4);
        Map<String, String> a = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-a");
        Map<String, String> b = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-b");
        try (Admin admin = admin(broker.bootstrap()); Member ma = Member.ofTopic("static-g", "static", a)) {
            Member mb = Member.ofTopic("static-g", "static", b);
            awaitDisjointCover(List.of(ma, mb), 4);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ma.assignment).hasSize(2));
            Set<TopicPartition> bPartitions = Set.copyOf(mb.assignment);
            Map<String, Integer> epochs = new HashMap<>();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ConsumerGroupDescription d = describe(admin, "static-g");
                assertThat(d.groupState().toString()).isEqualTo("Stable");
                epochs.put("before", d.groupEpoch().orElseThrow());
            });
            mb.close(); // a static member leaves with epoch -2: its partitions wait for it
            try (Member mb2 = Member.ofTopic("static-g", "static", b)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mb2.assignment).isEqualTo(bPartitions));
                ConsumerGroupDescription d = describe(admin, "static-g");
                assertThat(d.groupEpoch()).contains(epochs.get("before"));
                assertThat(ma.assignment).hasSize(2);
            }
        }
    }

    private static ConsumerGroupDescription describe(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    }
}
