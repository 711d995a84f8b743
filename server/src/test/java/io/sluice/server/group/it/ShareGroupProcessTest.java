package io.sluice.server.group.it;

import static io.sluice.server.group.it.GroupClients.createTopic;
import static io.sluice.server.group.it.GroupClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.group.it.ShareMemberThread.Delivery;
import io.sluice.server.it.BrokerProcess;
import io.sluice.server.it.KafkaCli;
import io.sluice.server.it.Tools;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Share groups (KIP-932) against a broker process with kafka-clients 4.4's KafkaShareConsumer:
 * several consumers on one partition, redelivery after a release or a lock running out, archiving
 * after a reject or the delivery limit, and acknowledgements surviving a broker restart.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShareGroupProcessTest {

    static final Map<String, String> BROKER_SETTINGS = Map.of(
            "sluice.share.version", "1",
            "group.share.record.lock.duration.ms", "2000",
            "group.share.delivery.count.limit", "3",
            "offsets.topic.num.partitions", "3",
            "offsets.topic.replication.factor", "1",
            "share.coordinator.state.topic.num.partitions", "3",
            "share.coordinator.state.topic.replication.factor", "1");

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

    /**
     * A new share-partition starts at the log end (share.auto.offset.reset=latest): produce
     * warm-up records until a member got one, so the group's share-partition exists.
     */
    static void warmUp(String bootstrap, String topic, ConcurrentLinkedQueue<Delivery> got) throws Exception {
        int[] n = {0};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            produce(bootstrap, topic, 1, 1_000_000 + n[0]++, 1);
            return got.stream().anyMatch(d -> isWarmUp(d.value()));
        });
    }

    static boolean isWarmUp(String value) {
        return Integer.parseInt(value.substring(1)) >= 1_000_000;
    }

    private static List<ShareMemberThread> members(int n, String bootstrap, String group, String topic,
                                                   ConcurrentLinkedQueue<Delivery> got,
                                                   Function<ConsumerRecord<String, String>, AcknowledgeType> decide) {
        List<ShareMemberThread> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ShareMemberThread(i, bootstrap, group, topic, got, decide));
        }
        return out;
    }

    private static void closeAll(List<ShareMemberThread> members) throws InterruptedException {
        for (ShareMemberThread m : members) {
            m.close();
            assertThat(m.failure()).as("member failure").isNull();
        }
    }

    private static Set<String> values(ConcurrentLinkedQueue<Delivery> got) {
        return got.stream().map(Delivery::value).filter(v -> !isWarmUp(v)).collect(Collectors.toSet());
    }

    @Test
    void threeShareConsumersOnOnePartitionGetEveryRecord() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "share-three", 1);
        ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();
        List<ShareMemberThread> members = members(3, b, "g-three", "share-three", got, r -> AcknowledgeType.ACCEPT);
        try {
            warmUp(b, "share-three", got);
            for (int round = 0; round < 10; round++) {
                produce(b, "share-three", 1, round * 30, 30);
            }
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                expected.add("v" + i);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> values(got).containsAll(expected));
            System.out.println("deliveries per member: " + got.stream()
                    .collect(Collectors.groupingBy(Delivery::member, Collectors.counting())));
            // Accepted records are never delivered twice.
            assertThat(got.stream().filter(d -> !isWarmUp(d.value())).map(Delivery::offset))
                    .doesNotHaveDuplicates();
        } finally {
            closeAll(members);
        }
    }

    private static int index(String value) {
        return Integer.parseInt(value.substring(1));
    }

    private static List<Integer> countsOf(ConcurrentLinkedQueue<Delivery> got, int i) {
        return got.stream().filter(d -> d.value().equals("v" + i)).map(Delivery::deliveryCount).sorted().toList();
    }

    @Test
    void releasedRecordsAndRecordsLeftPastTheirLockAreRedeliveredWithAHigherCount() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "share-redeliver", 1);
        ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();
        // i % 3 == 0: released on first delivery; 1: held past the lock on first delivery; 2: accepted.
        List<ShareMemberThread> members = members(2, b, "g-redeliver", "share-redeliver", got, r -> {
            if (isWarmUp(r.value()) || r.deliveryCount().orElse((short) 0) > 1) {
                return AcknowledgeType.ACCEPT;
            }
            int i = index(r.value());
            return i % 3 == 0 ? AcknowledgeType.RELEASE : i % 3 == 1 ? null : AcknowledgeType.ACCEPT;
        });
        try {
            warmUp(b, "share-redeliver", got);
            produce(b, "share-redeliver", 1, 0, 12);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (int i = 0; i < 12; i++) {
                    if (!countsOf(got, i).contains(i % 3 == 2 ? 1 : 2)) {
                        return false;
                    }
                }
                return true;
            });
            for (int i = 0; i < 12; i++) {
                if (i % 3 == 2) {
                    assertThat(countsOf(got, i)).as("accepted v%d", i).containsExactly(1);
                } else {
                    assertThat(countsOf(got, i)).as("redelivered v%d", i).startsWith(1, 2);
                }
            }
        } finally {
            closeAll(members);
        }
    }

    @Test
    void rejectedRecordsAndRecordsPastTheDeliveryLimitAreArchived() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "share-archive", 1);
        ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();
        // Even records are rejected, odd ones always released (the broker's delivery limit is 3);
        // v100 is the sentinel: once it is delivered, nothing before it is still available.
        List<ShareMemberThread> members = members(1, b, "g-archive", "share-archive", got, r -> {
            if (isWarmUp(r.value()) || r.value().equals("v100")) {
                return AcknowledgeType.ACCEPT;
            }
            return index(r.value()) % 2 == 0 ? AcknowledgeType.REJECT : AcknowledgeType.RELEASE;
        });
        try {
            warmUp(b, "share-archive", got);
            produce(b, "share-archive", 1, 0, 6);
            await().atMost(Duration.ofSeconds(60)).until(() -> countsOf(got, 1).contains(3)
                    && countsOf(got, 3).contains(3) && countsOf(got, 5).contains(3));
            produce(b, "share-archive", 1, 100, 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> !countsOf(got, 100).isEmpty());
            for (int i = 0; i < 6; i++) {
                assertThat(countsOf(got, i)).as("v%d", i).isEqualTo(i % 2 == 0 ? List.of(1) : List.of(1, 2, 3));
            }
        } finally {
            closeAll(members);
        }
    }

    @Test
    void acknowledgedRecordsStayAcknowledgedAfterTheBrokerRestarts() throws Exception {
        try (BrokerProcess own = BrokerProcess.start(BROKER_SETTINGS)) {
            String b = own.bootstrap();
            createTopic(b, "share-restart", 1);
            ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();
            List<ShareMemberThread> first = members(1, b, "g-restart", "share-restart", got, r -> AcknowledgeType.ACCEPT);
            try {
                warmUp(b, "share-restart", got);
                produce(b, "share-restart", 1, 0, 10);
                await().atMost(Duration.ofSeconds(30)).until(() -> values(got).size() == 10);
            } finally {
                closeAll(first);
            }
            produce(b, "share-restart", 1, 10, 10);
            own.restart();
            ConcurrentLinkedQueue<Delivery> after = new ConcurrentLinkedQueue<>();
            List<ShareMemberThread> second = members(1, b, "g-restart", "share-restart", after, r -> AcknowledgeType.ACCEPT);
            try {
                Set<String> expected = new HashSet<>();
                for (int i = 10; i < 20; i++) {
                    expected.add("v" + i);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> values(after).containsAll(expected));
                assertThat(values(after)).as("nothing acknowledged before the restart comes back").isEqualTo(expected);
                assertThat(after).noneMatch(d -> isWarmUp(d.value()));
            } finally {
                closeAll(second);
            }
        }
    }

    private static String shareGroupsCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Tools.javaCommand("org.apache.kafka.tools.consumer.group.ShareGroupCommand",
                "--bootstrap-server", broker.bootstrap()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", List.of(args), out).isZero();
        return out;
    }

    @Test
    void groupConfigsSetWithKafkaConfigsApplyAndTheOnesSluiceCannotApplyAreRefused() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "share-configs", 1);
        produce(b, "share-configs", 1, 0, 5); // before the group exists: read only with earliest
        KafkaCli.Result set = KafkaCli.configs(b, "--alter", "--entity-type", "groups", "--entity-name", "g-configs",
                "--add-config", "share.auto.offset.reset=earliest,share.record.lock.duration.ms=15000");
        assertThat(set.exitCode()).as(set.output()).isZero();
        String described = KafkaCli.configs(b, "--describe", "--entity-type", "groups", "--entity-name", "g-configs").output();
        assertThat(described).contains("share.auto.offset.reset=earliest").contains("share.record.lock.duration.ms=15000");

        KafkaCli.Result streams = KafkaCli.configs(b, "--alter", "--entity-type", "groups", "--entity-name", "g-configs",
                "--add-config", "streams.num.standby.replicas=1");
        assertThat(streams.exitCode()).isNotZero();
        assertThat(streams.output()).contains("streams.num.standby.replicas");
        KafkaCli.Result tooShort = KafkaCli.configs(b, "--alter", "--entity-type", "groups", "--entity-name", "g-configs",
                "--add-config", "consumer.session.timeout.ms=1000");
        assertThat(tooShort.exitCode()).isNotZero();
        assertThat(tooShort.output()).contains("group.consumer.min.session.timeout.ms");

        ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();
        List<ShareMemberThread> members = members(1, b, "g-configs", "share-configs", got, r -> AcknowledgeType.ACCEPT);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> values(got).containsAll(Set.of("v0", "v1", "v2", "v3", "v4")));
        } finally {
            closeAll(members);
        }
    }

    @Test
    void shareGroupsCliListsDescribesResetsAndDeletes() throws Exception {
        String b = broker.bootstrap();
        createTopic(b, "share-admin", 1);
        produce(b, "share-admin", 1, 0, 5); // before the group exists: skipped (latest)
        ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();
        List<ShareMemberThread> first = members(1, b, "g-admin", "share-admin", got, r -> AcknowledgeType.ACCEPT);
        try {
            warmUp(b, "share-admin", got);
            assertThat(values(got)).isEmpty();
            assertThat(shareGroupsCli("--list")).contains("g-admin");
            String describe = shareGroupsCli("--describe", "--group", "g-admin");
            assertThat(describe).contains("g-admin").contains("share-admin");
            String members = shareGroupsCli("--describe", "--group", "g-admin", "--members");
            assertThat(members).contains("g-admin-0");
        } finally {
            closeAll(first);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> shareGroupsCli("--describe", "--group", "g-admin", "--state")
                .contains("Empty"));
        String reset = shareGroupsCli("--reset-offsets", "--group", "g-admin", "--topic", "share-admin",
                "--to-earliest", "--execute");
        assertThat(reset).contains("share-admin");
        ConcurrentLinkedQueue<Delivery> again = new ConcurrentLinkedQueue<>();
        List<ShareMemberThread> second = members(1, b, "g-admin", "share-admin", again, r -> AcknowledgeType.ACCEPT);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> values(again).containsAll(Set.of("v0", "v1", "v2", "v3", "v4")));
        } finally {
            closeAll(second);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> shareGroupsCli("--describe", "--group", "g-admin", "--state")
                .contains("Empty"));
        assertThat(shareGroupsCli("--delete-offsets", "--group", "g-admin", "--topic", "share-admin"))
                .contains("share-admin");
        assertThat(shareGroupsCli("--describe", "--group", "g-admin")).doesNotContain("share-admin");
        assertThat(shareGroupsCli("--delete", "--group", "g-admin")).contains("g-admin");
        assertThat(shareGroupsCli("--list")).doesNotContain("g-admin");
    }
}
