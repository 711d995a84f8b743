package io.sluice.chaos.inject;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Asks the cluster, as any client would (Admin describeTopics), who leads a partition and who is in
 * its ISR, and polls until that changes. Owns one Admin client; one thread at a time.
 */
public final class LeaderWatch implements AutoCloseable {
    private static final long POLL_INTERVAL_MS = 100;
    private static final long ANSWER_TIMEOUT_MS = 5_000;

    private final Admin admin;

    public LeaderWatch(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // Short timeouts and back-off: a dead node must not hold a poll for the default 30 s.
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ANSWER_TIMEOUT_MS));
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        this.admin = Admin.create(p);
    }

    /** The partition's leader and ISR as the cluster names them now. */
    public TopicPartitionInfo describe(TopicPartition tp) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(tp.topic())).allTopicNames()
                .get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS).get(tp.topic());
        return d.partitions().stream().filter(p -> p.partition() == tp.partition()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("topic " + tp.topic() + " has no partition "
                        + tp.partition() + " (it has " + d.partitions().size() + ")"));
    }

    /** The leader's node id, or empty while the partition has none. */
    public Optional<Integer> leader(TopicPartition tp) throws Exception {
        Node leader = describe(tp).leader();
        return leader == null || leader.isEmpty() || leader.id() < 0 ? Optional.empty() : Optional.of(leader.id());
    }

    /** Polls until a node other than {@code oldLeader} leads {@code tp}; empty if none did within {@code timeout}. */
    public Optional<Integer> awaitLeaderOtherThan(TopicPartition tp, int oldLeader, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Optional<Integer> leader = leader(tp);
                if (leader.isPresent() && leader.get() != oldLeader) {
                    return leader;
                }
            } catch (Exception e) {
                // a node just killed may still be asked, or the metadata be moving: ask again
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        return Optional.empty();
    }

    /** Polls until {@code node} is (or, with {@code in} false, is not) in the ISR of {@code tp}; false on timeout. */
    public boolean awaitIsrMembership(TopicPartition tp, int node, boolean in, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                boolean member = describe(tp).isr().stream().anyMatch(n -> n.id() == node);
                if (member == in) {
                    return true;
                }
            } catch (Exception e) {
                // not answered this time: ask again
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        return false;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
