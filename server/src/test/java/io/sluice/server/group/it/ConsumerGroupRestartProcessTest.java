package io.sluice.server.group.it;

import static io.sluice.server.group.it.GroupClients.admin;
import static io.sluice.server.group.it.GroupClients.createTopic;
import static io.sluice.server.group.it.GroupClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.group.it.ConsumerProtocolProcessTest.Member;
import io.sluice.server.it.BrokerProcess;
import io.sluice.server.it.Tools;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A KIP-848 group across a broker restart (its records replayed from __consumer_offsets: same
 * group epoch, same assignments, no partition moves), and {@code kafka-consumer-groups --describe}
 * of a consumer group with its lag.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsumerGroupRestartProcessTest {

    private BrokerProcess broker;

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private void startBroker() throws Exception {
        broker = BrokerProcess.start(Map.of(
                "group.consumer.session.timeout.ms", "15000",
                "group.consumer.min.session.timeout.ms", "1000",
                "group.consumer.heartbeat.interval.ms", "300",
                "group.consumer.min.heartbeat.interval.ms", "100",
                "offsets.topic.num.partitions", "3",
                "offsets.topic.replication.factor", "1"));
        ConsumerProtocolProcessTest.bootstrap = broker.bootstrap();
    }

    private static ConsumerGroupDescription describe(Admin admin, String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    }

    private static Map<String, Set<TopicPartition>> assignments(ConsumerGroupDescription d) {
        Map<String, Set<TopicPartition>> out = new HashMap<>();
        for (MemberDescription m : d.members()) {
            out.put(m.consumerId(), Set.copyOf(m.assignment().topicPartitions()));
        }
        return out;
    }

    @Test
    void aGroupKeepsItsEpochAndAssignmentAcrossABrokerRestart() throws Exception {
        startBroker();
        createTopic(broker.bootstrap(), "restart", 4);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            members.add(Member.ofTopic("restart-g", "restart", Map.of()));
        }
        try (Admin admin = admin(broker.bootstrap())) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                members.forEach(m -> assertThat(m.assignment).hasSize(2));
                assertThat(describe(admin, "restart-g").groupState().toString()).isEqualTo("Stable");
            });
            ConsumerGroupDescription before = describe(admin, "restart-g");
            List<Set<TopicPartition>> owned = members.stream().map(m -> Set.copyOf(m.assignment)).toList();
            List<Integer> callbacks = members.stream().map(m -> m.callbacks.get()).toList();

            broker.restart();

            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                ConsumerGroupDescription after = describe(admin, "restart-g");
                assertThat(after.groupEpoch()).isEqualTo(before.groupEpoch());
                assertThat(assignments(after)).isEqualTo(assignments(before));
            });
            produce(broker.bootstrap(), "restart", 4, 0, 40);
            Set<String> all = IntStream.range(0, 40).mapToObj(i -> "v" + i).collect(Collectors.toSet());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Set<String> got = new HashSet<>();
                members.forEach(m -> got.addAll(m.received));
                assertThat(got).isEqualTo(all);
            });
            for (int i = 0; i < members.size(); i++) {
                assertThat(members.get(i).assignment).as("no partition moved").isEqualTo(owned.get(i));
                // A lost group would have fenced them: onPartitionsLost, then a rejoin.
                assertThat(members.get(i).callbacks.get()).as("no rebalance callback").isEqualTo(callbacks.get(i));
            }
            assertThat(broker.log()).containsPattern("Loaded \\d+ classic and 1 consumer groups");
        } finally {
            for (Member m : members) {
                m.close();
            }
        }
    }

    @Test
    void theConsumerGroupsCliDescribesAConsumerGroupWithItsLag() throws Exception {
        startBroker();
        createTopic(broker.bootstrap(), "lag", 3);
        produce(broker.bootstrap(), "lag", 3, 0, 90);
        Map<String, String> extra = Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.CLIENT_ID_CONFIG, "lagging-client");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(ConsumerProtocolProcessTest.props("lag-g", extra))) {
            c.subscribe(List.of("lag"));
            int got = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (got < 90 && System.currentTimeMillis() < deadline) {
                got += c.poll(Duration.ofMillis(200)).count();
            }
            assertThat(got).isEqualTo(90);
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                commits.put(new TopicPartition("lag", p), new OffsetAndMetadata(20));
            }
            c.commitSync(commits);
            String describe = consumerGroupsCli("--describe", "--group", "lag-g");
            List<String> rows = describe.lines().filter(l -> l.startsWith("lag-g ")).toList();
            assertThat(rows).as(describe).hasSize(3);
            for (String row : rows) {
                String[] f = row.trim().split("\\s+");
                // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
                assertThat(f[3]).as(row).isEqualTo("20");
                assertThat(f[4]).as(row).isEqualTo("30");
                assertThat(f[5]).as(row).isEqualTo("10");
                assertThat(f[8]).as(row).isEqualTo("lagging-client");
            }
            assertThat(consumerGroupsCli("--describe", "--group", "lag-g", "--state")).contains("Stable");
            assertThat(consumerGroupsCli("--list", "--type")).containsPattern("lag-g\\s+Consumer");
        }
    }

    private String consumerGroupsCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Tools.javaCommand(
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server", broker.bootstrap()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
