package io.sluice.server.it;

import static io.sluice.server.it.Clients.partition0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leadership goes back to the preferred replica after a restart moved it away, on a real 3-process
 * cluster: on request ({@code kafka-leader-election}, Admin.electLeaders) and by itself
 * ({@code auto.leader.rebalance.enable}). The restarted broker rejoins the ISR with its new broker
 * epoch (KIP-903) first, or no election could pick it.
 */
@Tag("slow")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class PreferredLeaderElectionClusterTest {

    private static final Map<String, String> SETTINGS = Map.of("log.segment.bytes", "16777216",
            "min.insync.replicas", "2", "broker.session.timeout.ms", "6000", "broker.heartbeat.interval.ms", "500");

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    private ClusterProcess cluster;
    private Admin admin;

    private void start(Map<String, String> more) throws Exception {
        Map<String, String> settings = new HashMap<>(SETTINGS);
        settings.putAll(more);
        cluster = fixture.start(3, settings);
        admin = fixture.admin();
    }

    /** An admin call may land on the node that is restarting; that is not the answer, so ask again. */
    private static ConditionFactory awaitCluster() {
        return await().ignoreExceptions();
    }

    /** Creates a one-partition RF 3 topic and returns its preferred replica, which leads it. */
    private int createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get();
        awaitCluster().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, topic).isr().size() == 3);
        TopicPartitionInfo info = partition0(admin, topic);
        int preferred = info.replicas().get(0).id();
        assertThat(info.leader().id()).as("a new partition is led by its preferred replica").isEqualTo(preferred);
        return preferred;
    }

    /** Restarts the node (SIGTERM, a controlled shutdown): leadership moves away while it is down. */
    private void restartMovesLeadershipAway(String topic, int node) throws Exception {
        assertThat(cluster.node(node).stop()).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
        awaitCluster().atMost(Duration.ofSeconds(30)).until(() -> partition0(admin, topic).leader().id() != node);
        cluster.node(node).restart();
    }

    /** Whether every partition, internal ones included, has all its replicas in the ISR. */
    private boolean everyIsrFull() throws Exception {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        Collection<TopicDescription> all = admin.describeTopics(names).allTopicNames().get().values();
        return all.stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.isr().size() == p.replicas().size());
    }

    @Test
    void preferredElectionBringsLeadershipBackAfterARestart() throws Exception {
        start(Map.of("auto.leader.rebalance.enable", "false"));
        int preferred = createTopic("elect");
        restartMovesLeadershipAway("elect", preferred);
        awaitCluster().atMost(Duration.ofSeconds(60)).until(this::everyIsrFull);
        assertThat(partition0(admin, "elect").leader().id()).as("without an election, leadership stays away")
                .isNotEqualTo(preferred);

        Tools.Result r = Tools.kafkaTool("org.apache.kafka.tools.LeaderElectionCommand",
                "--bootstrap-server", cluster.bootstrap(), "--election-type", "preferred", "--all-topic-partitions");
        assertThat(r.exitCode()).as("kafka-leader-election output: %s", r.output()).isZero();
        assertThat(r.output()).contains("Successfully completed leader election (PREFERRED) for partitions")
                .contains("elect-0");
        assertThat(partition0(admin, "elect").leader().id()).isEqualTo(preferred);

        TopicPartition elect0 = new TopicPartition("elect", 0);
        TopicPartition missing = new TopicPartition("elect", 5);
        Map<TopicPartition, Optional<Throwable>> again = admin.electLeaders(ElectionType.PREFERRED,
                Set.of(elect0, missing)).partitions().get();
        assertThat(again.get(elect0)).get().isInstanceOf(ElectionNotNeededException.class);
        assertThat(again.get(missing)).get().isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(admin.electLeaders(ElectionType.UNCLEAN, Set.of(elect0)).partitions().get().get(elect0)).get()
                .as("a partition with a leader needs no unclean election").isInstanceOf(ElectionNotNeededException.class);
    }

    @Test
    void autoLeaderRebalanceBringsLeadershipBackByItself() throws Exception {
        start(Map.of("auto.leader.rebalance.enable", "true", "leader.imbalance.check.interval.seconds", "1"));
        int preferred = createTopic("auto");
        restartMovesLeadershipAway("auto", preferred);
        awaitCluster().atMost(Duration.ofSeconds(60)).until(() -> partition0(admin, "auto").leader().id() == preferred);
        // The quorum leader logs once its submit completes, which may be after another node's image
        // already showed the new leader.
        awaitCluster().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cluster.nodes())
                .as("a quorum leader logged the rebalance")
                .anySatisfy(n -> assertThat(n.log()).contains("leader rebalance: ").contains("auto-0")));
    }
}
