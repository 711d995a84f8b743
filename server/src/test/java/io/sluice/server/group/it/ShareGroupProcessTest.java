package io.sluice.server.group.it;

import static io.sluice.server.group.it.GroupClients.createTopic;
import static io.sluice.server.group.it.GroupClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.group.it.ShareMemberThread.Delivery;
import io.sluice.server.it.BrokerProcess;
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
            broker.log().lines().filter(l -> l.contains("hare") || l.contains("ERROR") || l.contains("WARN"))
                    .limit(200).forEach(System.out::println);
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
}
