package io.sluice.server.group.it;

import static io.sluice.server.group.it.GroupClients.createTopic;
import static io.sluice.server.group.it.GroupClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.group.it.GroupClients.Member;
import io.sluice.server.it.BrokerProcess;
import io.sluice.server.it.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Consumer groups with the real Java client (classic protocol) against a broker process: work is
 * split and moves when members leave or die, static members come back without a rebalance, and
 * groups are independent.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsumerGroupProcessTest {

    static final Map<String, String> BROKER_SETTINGS = Map.of(
            "group.initial.rebalance.delay.ms", "500",
            "group.min.session.timeout.ms", "1000",
            "offsets.topic.num.partitions", "5",
            "offsets.topic.replication.factor", "1",
            "offsets.topic.segment.bytes", "1048576");

    private static BrokerProcess broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(BROKER_SETTINGS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static Set<String> values(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "v" + i).collect(Collectors.toSet());
    }

    private static void awaitDisjointCover(List<Member> members, int partitions) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
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

    @Test
    void threeMembersSplitSixPartitionsAndALeavingMembersPartitionsMove() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "split", 6);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(new Member(b, "split-g", "split", Map.of()));
        }
        try {
            awaitDisjointCover(members, 6);
            members.forEach(m -> assertThat(m.assignment).hasSize(2));
            produce(b, "split", 6, 0, 600);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    members.stream().mapToInt(m -> m.received.size()).sum() >= 600);
            Set<String> union = new HashSet<>();
            for (Member m : members) {
                Set<String> mine = new HashSet<>(m.received);
                assertThat(mine).as("no record twice within a member").hasSize(m.received.size());
                for (String v : mine) {
                    assertThat(union.add(v)).as("%s went to two members", v).isTrue();
                }
            }
            assertThat(union).isEqualTo(values(0, 600));

            members.remove(2).close(); // LeaveGroup: its partitions move at once
            awaitDisjointCover(members, 6);
            produce(b, "split", 6, 600, 600);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Set<String> got = new HashSet<>();
                members.forEach(m -> got.addAll(m.received));
                assertThat(got).containsAll(values(600, 600));
            });
        } finally {
            for (Member m : members) {
                m.close();
            }
        }
    }

    @Test
    void cooperativeStickyMembersKeepTheirPartitionsWhenAnotherLeaves() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "coop", 6);
        Map<String, String> coop = Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName());
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(new Member(b, "coop-g", "coop", coop));
        }
        try {
            awaitDisjointCover(members, 6);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    members.forEach(m -> assertThat(m.assignment).hasSize(2)));
            Set<TopicPartition> kept0 = Set.copyOf(members.get(0).assignment);
            Set<TopicPartition> kept1 = Set.copyOf(members.get(1).assignment);
            members.remove(2).close();
            awaitDisjointCover(members, 6);
            // incremental (KIP-429): the stayers only gained partitions
            assertThat(members.get(0).assignment).containsAll(kept0);
            assertThat(members.get(1).assignment).containsAll(kept1);
            produce(b, "coop", 6, 0, 120);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Set<String> got = new HashSet<>();
                members.forEach(m -> got.addAll(m.received));
                assertThat(got).isEqualTo(values(0, 120));
            });
        } finally {
            for (Member m : members) {
                m.close();
            }
        }
    }

    @Test
    void aKilledMembersPartitionsMoveAfterItsSessionTimeout() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "kill", 6);
        Path out = Files.createTempFile("member-", ".log");
        Process child = new ProcessBuilder(Tools.javaCommand(GroupMemberMain.class.getName(), b, "kill-g", "kill", "3000"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try (Member survivor = new Member(b, "kill-g", "kill", Map.of())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(survivor.assignment).hasSize(3);
                assertThat(Files.readString(out)).contains("ASSIGNED 3");
            });
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9: no LeaveGroup
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(survivor.assignment).hasSize(6));
            assertThat(broker.log()).contains("failed its session of 3000 ms");
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    @Test
    void aStaticMemberRestartingWithinItsSessionCausesNoRebalance() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "static", 6);
        Map<String, String> common = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "20000",
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        Map<String, String> a = new HashMap<>(common);
        a.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-a");
        Map<String, String> bb = new HashMap<>(common);
        bb.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-b");
        try (Member ma = new Member(b, "static-g", "static", a)) {
            Member mb = new Member(b, "static-g", "static", bb);
            awaitDisjointCover(List.of(ma, mb), 6);
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(ma.assignment).hasSize(3));
            Set<TopicPartition> bPartitions = Set.copyOf(mb.assignment);
            int aRebalances = ma.rebalances.get();
            mb.close(); // a static member does not leave on close
            try (Member mb2 = new Member(b, "static-g", "static", bb)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(mb2.assignment).isEqualTo(bPartitions));
                // Not "sleep and see nothing happened": wait until a rebalance would have reached a.
                // A rebalance started by b's return reaches a as REBALANCE_IN_PROGRESS on a's first
                // heartbeat sent after it; heartbeats go one at a time, so the second response
                // counted from now answers one sent after b's assignment. a then revokes (eager
                // RangeAssignor) inside its next poll, so a poll that began after that response
                // would have counted the rebalance.
                double heartbeats = ma.heartbeats();
                await().atMost(Duration.ofSeconds(30)).until(() -> ma.heartbeats() >= heartbeats + 2);
                long polls = ma.polls.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> ma.polls.get() >= polls + 2);
                assertThat(ma.rebalances.get()).as("a saw no rebalance").isEqualTo(aRebalances);
                assertThat(ma.assignment).hasSize(3);
            }
        }
    }

    @Test
    void twoGroupsOnOneTopicEachReceiveEveryRecord() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "fanout", 3);
        produce(b, "fanout", 3, 0, 300);
        try (Member g1 = new Member(b, "fanout-1", "fanout", Map.of());
             Member g2 = new Member(b, "fanout-2", "fanout", Map.of())) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(new HashSet<>(g1.received)).isEqualTo(values(0, 300));
                assertThat(new HashSet<>(g2.received)).isEqualTo(values(0, 300));
            });
        }
    }

    /** Polls until {@code n} records arrived or 60 s passed. */
    static List<ConsumerRecord<String, String>> pollAtLeast(KafkaConsumer<String, String> c, int n) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (out.size() < n && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    @Test
    void atLeastOnceRedeliversWhatWasProcessedButNotCommitted() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "alo", 1);
        produce(b, "alo", 1, 0, 10);
        Map<String, String> manual = Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5");
        List<String> processed = new ArrayList<>();
        try (KafkaConsumer<String, String> c = GroupClients.consumer(b, "alo-g", manual)) {
            c.subscribe(List.of("alo"));
            List<ConsumerRecord<String, String>> batch = pollAtLeast(c, 1);
            batch.forEach(r -> processed.add(r.value())); // process first ...
            // ... and stop before the commit
        }
        try (KafkaConsumer<String, String> c = GroupClients.consumer(b, "alo-g", manual)) {
            c.subscribe(List.of("alo"));
            List<String> again = pollAtLeast(c, 10).stream().map(ConsumerRecord::value).toList();
            assertThat(again).containsAll(processed); // redelivered: duplicates, nothing lost
            assertThat(again).containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "v" + i).toList());
        }
    }

    @Test
    void atMostOnceLosesWhatWasCommittedButNotProcessed() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "amo", 1);
        produce(b, "amo", 1, 0, 10);
        Map<String, String> manual = Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5");
        List<String> skipped;
        try (KafkaConsumer<String, String> c = GroupClients.consumer(b, "amo-g", manual)) {
            c.subscribe(List.of("amo"));
            List<ConsumerRecord<String, String>> batch = pollAtLeast(c, 1);
            c.commitSync(); // commit first ...
            skipped = batch.stream().map(ConsumerRecord::value).toList();
            // ... and stop before processing
        }
        try (KafkaConsumer<String, String> c = GroupClients.consumer(b, "amo-g", manual)) {
            c.subscribe(List.of("amo"));
            List<String> rest = pollAtLeast(c, 10 - skipped.size()).stream().map(ConsumerRecord::value).toList();
            assertThat(rest).doesNotContainAnyElementsOf(skipped); // never processed: lost
            assertThat(rest).hasSize(10 - skipped.size());
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
