package io.sluice.server.group.it;

import static io.sluice.server.group.it.GroupClients.createTopic;
import static io.sluice.server.group.it.GroupClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.server.group.it.GroupClients.Member;
import io.sluice.server.it.BrokerProcess;
import io.sluice.server.it.Tools;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Committed offsets across broker restarts, the admin APIs (list, describe, delete, offsets),
 * kcat's balanced consumer and the Kafka CLI's consumer-groups describe against a broker process.
 */
@Tag("slow")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GroupOperationsProcessTest {

    private static BrokerProcess broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(ConsumerGroupProcessTest.BROKER_SETTINGS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static Map<String, String> manualCommit() {
        return Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    }

    @Test
    void consumptionResumesFromCommittedOffsetsAfterBrokerRestarts() throws Exception {
        try (BrokerProcess own = BrokerProcess.start(ConsumerGroupProcessTest.BROKER_SETTINGS)) {
            String b = own.bootstrap();
            createTopic(b, "resume", 2);
            produce(b, "resume", 2, 0, 200);
            Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            try (KafkaConsumer<String, String> c = GroupClients.consumer(b, "resume-g", manualCommit())) {
                c.subscribe(List.of("resume"));
                List<ConsumerRecord<String, String>> got = ConsumerGroupProcessTest.pollAtLeast(c, 100);
                for (ConsumerRecord<String, String> r : got) {
                    committed.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1, "m"));
                }
                c.commitSync(committed);
            }
            own.stop();
            own.restart();
            produce(b, "resume", 2, 200, 100);
            long alreadyDone = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            Map<String, String> strict = new HashMap<>(manualCommit());
            strict.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"); // a lost commit would throw
            try (KafkaConsumer<String, String> c = GroupClients.consumer(b, "resume-g", strict)) {
                c.subscribe(List.of("resume"));
                List<ConsumerRecord<String, String>> rest = ConsumerGroupProcessTest.pollAtLeast(c, (int) (300 - alreadyDone));
                assertThat(rest).hasSize((int) (300 - alreadyDone));
                for (TopicPartition tp : committed.keySet()) {
                    long first = rest.stream().filter(r -> r.partition() == tp.partition())
                            .mapToLong(ConsumerRecord::offset).min().orElse(-1);
                    assertThat(first).as("resumes %s at its commit", tp).isEqualTo(committed.get(tp).offset());
                }
                c.commitSync();
            }
            // and after a kill -9 too
            own.kill9();
            own.restart();
            try (Admin admin = GroupClients.admin(b)) {
                Map<TopicPartition, OffsetAndMetadata> after = admin.listConsumerGroupOffsets("resume-g")
                        .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
                assertThat(after.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(300);
            }
        }
    }

    @Test
    void adminApisListDescribeDeleteAndRefuseBadCommits() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "adm", 3);
        produce(b, "adm", 3, 0, 30);
        try (Admin admin = GroupClients.admin(b); Member m = new Member(b, "adm-active", "adm", Map.of())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> m.received.size() >= 30);
            TopicPartition p0 = new TopicPartition("adm", 0);
            admin.alterConsumerGroupOffsets("adm-idle", Map.of(p0, new OffsetAndMetadata(4, "meta")))
                    .all().get(60, TimeUnit.SECONDS);

            var listed = admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(60, TimeUnit.SECONDS);
            assertThat(listed).extracting(g -> g.groupId()).contains("adm-active", "adm-idle");
            var stable = admin.listGroups(ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(GroupState.STABLE)))
                    .all().get(60, TimeUnit.SECONDS);
            assertThat(stable).extracting(g -> g.groupId()).contains("adm-active").doesNotContain("adm-idle");

            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("adm-active")).all()
                    .get(60, TimeUnit.SECONDS).get("adm-active");
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.members()).hasSize(1);
            assertThat(d.members().iterator().next().assignment().topicPartitions()).hasSize(3);

            // bad input: Kafka's errors, nothing stored
            TopicPartition nope = new TopicPartition("no-such-topic", 0);
            assertThat(causeOf(() -> admin.alterConsumerGroupOffsets("adm-idle", Map.of(nope, new OffsetAndMetadata(1)))
                    .all().get(60, TimeUnit.SECONDS))).isInstanceOf(UnknownTopicOrPartitionException.class);
            assertThat(causeOf(() -> admin.alterConsumerGroupOffsets("adm-idle",
                    Map.of(new TopicPartition("adm", 7), new OffsetAndMetadata(1))).all().get(60, TimeUnit.SECONDS)))
                    .isInstanceOf(UnknownTopicOrPartitionException.class);
            assertThat(causeOf(() -> admin.alterConsumerGroupOffsets("adm-idle",
                    Map.of(p0, new OffsetAndMetadata(9, "x".repeat(4097)))).all().get(60, TimeUnit.SECONDS)))
                    .isInstanceOf(OffsetMetadataTooLarge.class);
            assertThat(admin.listConsumerGroupOffsets("adm-idle").partitionsToOffsetAndMetadata()
                    .get(60, TimeUnit.SECONDS)).isEqualTo(Map.of(p0, new OffsetAndMetadata(4, "meta")));

            // delete: refused while members are in, and for subscribed topics
            assertThat(causeOf(() -> admin.deleteConsumerGroups(List.of("adm-active")).all().get(60, TimeUnit.SECONDS)))
                    .isInstanceOf(GroupNotEmptyException.class);
            assertThat(causeOf(() -> admin.deleteConsumerGroupOffsets("adm-active", Set.of(p0)).all()
                    .get(60, TimeUnit.SECONDS))).isInstanceOf(GroupSubscribedToTopicException.class);
            admin.deleteConsumerGroupOffsets("adm-idle", Set.of(p0)).all().get(60, TimeUnit.SECONDS);
            assertThat(admin.listConsumerGroupOffsets("adm-idle").partitionsToOffsetAndMetadata()
                    .get(60, TimeUnit.SECONDS)).isEmpty();
            admin.alterConsumerGroupOffsets("adm-idle", Map.of(p0, new OffsetAndMetadata(2))).all().get(60, TimeUnit.SECONDS);
            admin.deleteConsumerGroups(List.of("adm-idle")).all().get(60, TimeUnit.SECONDS);
            assertThat(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(60, TimeUnit.SECONDS))
                    .extracting(g -> g.groupId()).doesNotContain("adm-idle");
        }
    }

    @Test
    void aConsumerCommitWithOversizedMetadataIsRefused() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "meta", 1);
        produce(b, "meta", 1, 0, 5);
        try (KafkaConsumer<String, String> c = GroupClients.consumer(b, "meta-g", manualCommit())) {
            c.subscribe(List.of("meta"));
            ConsumerGroupProcessTest.pollAtLeast(c, 5);
            TopicPartition tp = new TopicPartition("meta", 0);
            assertThatThrownBy(() -> c.commitSync(Map.of(tp, new OffsetAndMetadata(5, "x".repeat(5000)))))
                    .isInstanceOf(OffsetMetadataTooLarge.class);
            assertThat(c.committed(Set.of(tp)).get(tp)).isNull();
            c.commitSync(Map.of(tp, new OffsetAndMetadata(5, "ok")));
            assertThat(c.committed(Set.of(tp)).get(tp).offset()).isEqualTo(5);
        }
    }

    private static Throwable causeOf(ThrowingRunnable r) {
        try {
            r.run();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // ---- kcat and the Kafka CLI -----------------------------------------------------------------

    private static String run(List<String> cmd, long timeoutSec) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(timeoutSec, TimeUnit.SECONDS)).as("%s finished", cmd.get(0)).isTrue();
        assertThat(p.exitValue()).as("%s exited: %s", cmd, out).isZero();
        return out;
    }

    private static boolean kcatAvailable() {
        try {
            return new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    private static String consumerGroupsCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Tools.javaCommand(
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server", broker.bootstrap()));
        cmd.addAll(List.of(args));
        return run(cmd, 120);
    }

    @Test
    void kcatConsumesAsAGroupAndTheCliDescribesMembersAndLag() throws Exception {
        Assumptions.assumeTrue(kcatAvailable(), "kcat is not installed");
        String b = broker.bootstrap();
        createTopic(b, "cli", 3);
        produce(b, "cli", 3, 0, 90);
        // librdkafka's balanced consumer: joins kcat-g, reads everything, commits on exit
        String out = run(List.of("kcat", "-b", b, "-G", "kcat-g", "-o", "beginning", "-e", "-q", "-f", "%s\\n",
                "-X", "session.timeout.ms=6000", "cli"), 120);
        assertThat(out.lines().filter(l -> l.startsWith("v")).distinct().count()).isEqualTo(90);
        String kcatDescribe = consumerGroupsCli("--describe", "--group", "kcat-g");
        List<String> kcatRows = kcatDescribe.lines().filter(l -> l.startsWith("kcat-g ")).toList();
        assertThat(kcatRows).as(kcatDescribe).hasSize(3);
        for (String line : kcatRows) {
            String[] f = line.trim().split("\\s+");
            assertThat(f[3]).as("current offset in %s", line).isEqualTo("30");
            assertThat(f[5]).as("lag in %s", line).isEqualTo("0");
        }

        // a Java member that commits 20 of the 30 records of each partition and stays in the group
        Map<String, String> manual = new HashMap<>(manualCommit());
        manual.put(ConsumerConfig.CLIENT_ID_CONFIG, "lagging-client");
        try (KafkaConsumer<String, String> c = GroupClients.consumer(b, "cli-g", manual)) {
            c.subscribe(List.of("cli"));
            ConsumerGroupProcessTest.pollAtLeast(c, 90);
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                commits.put(new TopicPartition("cli", p), new OffsetAndMetadata(20));
            }
            c.commitSync(commits);
            String describe = consumerGroupsCli("--describe", "--group", "cli-g");
            List<String> rows = describe.lines().filter(l -> l.startsWith("cli-g ")).toList();
            assertThat(rows).as(describe).hasSize(3);
            for (String row : rows) {
                String[] f = row.trim().split("\\s+");
                // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
                assertThat(f[3]).isEqualTo("20");
                assertThat(f[4]).isEqualTo("30");
                assertThat(f[5]).isEqualTo("10");
                assertThat(f[6]).startsWith("lagging-client-");
                assertThat(f[8]).isEqualTo("lagging-client");
            }
            String members = consumerGroupsCli("--describe", "--group", "cli-g", "--members");
            assertThat(members).contains("lagging-client").containsPattern("lagging-client\\s+3");
            String state = consumerGroupsCli("--describe", "--group", "cli-g", "--state");
            assertThat(state).contains("Stable");
            c.poll(Duration.ofMillis(10));
        }
        assertThat(consumerGroupsCli("--list")).contains("cli-g", "kcat-g");
    }
}
