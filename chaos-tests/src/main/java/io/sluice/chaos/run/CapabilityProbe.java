package io.sluice.chaos.run;

import io.sluice.chaos.target.BrokerNode;
import io.sluice.chaos.target.ServingProbe;
import io.sluice.chaos.target.TargetSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Finds out, on a throw-away broker, whether the target supports offset commits and consumer
 * groups, so those workloads run only where they can and the report says why they did not.
 * Stateless.
 */
public final class CapabilityProbe {
    private static final Duration GROUP_JOIN_TIMEOUT = Duration.ofSeconds(20);

    private CapabilityProbe() { }

    /** What the target could do; a reason for each thing it could not. */
    public record Capabilities(boolean commits, String commitsWhyNot, boolean groups, String groupsWhyNot) { }

    public static Capabilities probe(TargetSpec target, Path dir) throws Exception {
        try (BrokerNode node = new BrokerNode(target, 1, dir, Uuid.randomUuid().toString(), 0)) {
            node.format();
            node.start();
            ServingProbe.awaitServing(node, false, Duration.ofSeconds(60));
            try (Admin admin = ServingProbe.admin(node.bootstrap())) {
                admin.createTopics(List.of(new NewTopic("chaos-capability", 1, (short) 1))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            TopicPartition tp = new TopicPartition("chaos-capability", 0);
            boolean commits = false;
            String commitsWhyNot = null;
            try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), "chaos-capability-commit")) {
                c.assign(List.of(tp));
                c.commitSync(Map.of(tp, new OffsetAndMetadata(0)), Duration.ofSeconds(15));
                commits = c.committed(Set.of(tp), Duration.ofSeconds(10)).get(tp) != null;
                if (!commits) {
                    commitsWhyNot = "a committed offset did not read back";
                }
            } catch (RuntimeException e) {
                commitsWhyNot = "OffsetCommit/OffsetFetch failed: " + e;
            }
            boolean groups = false;
            String groupsWhyNot = null;
            try (KafkaConsumer<String, String> c = consumer(node.bootstrap(), "chaos-capability-group")) {
                c.subscribe(List.of(tp.topic()));
                long deadline = System.nanoTime() + GROUP_JOIN_TIMEOUT.toNanos();
                while (c.assignment().isEmpty() && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200));
                }
                groups = !c.assignment().isEmpty();
                if (!groups) {
                    groupsWhyNot = "no partition assigned within " + GROUP_JOIN_TIMEOUT + " (JoinGroup/SyncGroup)";
                }
            } catch (RuntimeException e) {
                groupsWhyNot = "consumer group failed: " + e;
            }
            return new Capabilities(commits, commitsWhyNot, groups, groupsWhyNot);
        } finally {
            ScheduleRunner.deleteRecursively(dir); // after close: the broker is gone and wrote its last file
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
