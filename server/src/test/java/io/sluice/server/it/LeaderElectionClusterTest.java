package io.sluice.server.it;

import static io.sluice.server.it.Clients.partition0;
import static io.sluice.server.it.Clients.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.network.RawClient;
import io.sluice.server.protocol.ApiVersionsTable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leader changes that can lose or fork a log, on a real 3-process cluster (combined mode, 3 voters)
 * with kafka-clients 4.4: an old leader's divergent acks=1 suffix truncated by leader epoch
 * (KIP-320) when it returns, unclean election refused and then allowed by config with exactly the
 * unreplicated records lost, and the health views (kafka-topics' under-replicated and unavailable
 * partitions, offline replicas in Metadata and DescribeTopicPartitions) along the way.
 */
@Tag("slow")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class LeaderElectionClusterTest {

    /** replica.fetch.wait.max.ms: how long a leader parks a follower's fetch that found nothing new. */
    private static final int FETCH_WAIT_MAX_MS = 200;
    /** Lag and session small enough that a paused follower leaves the ISR and is fenced within a test. */
    private static final Map<String, String> SETTINGS = Map.of("log.segment.bytes", "16777216",
            "replica.lag.time.max.ms", "4000", "replica.fetch.wait.max.ms", Integer.toString(FETCH_WAIT_MAX_MS),
            "min.insync.replicas", "2", "broker.session.timeout.ms", "6000", "broker.heartbeat.interval.ms", "500");

    private static final String OFFSETS_TOPIC = "__consumer_offsets";
    private static final Pattern PARTITION_LINE = Pattern.compile("Topic: (\\S+)\\s+Partition: (\\d+)\\s");

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    private ClusterProcess cluster;
    private Admin admin;

    private void start() throws Exception {
        cluster = fixture.start(3, SETTINGS);
        // A call that lands on a paused node fails soon and is asked again (awaitCluster).
        admin = fixture.adminFailingFast();
    }

    /** An admin call may land on a paused or killed node and time out: that is no answer, ask again. */
    private static ConditionFactory awaitCluster() {
        return await().ignoreExceptions().atMost(Duration.ofSeconds(60));
    }


    private List<TopicPartitionInfo> describeAll(String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        return d.partitions();
    }

    private static byte[] value(String prefix, int i) {
        return (prefix + "-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> values(Collection<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    private static List<String> expected(String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(prefix + "-" + i);
        }
        return out;
    }

    private void produce(KafkaProducer<byte[], byte[]> p, String topic, String prefix, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            p.send(new ProducerRecord<>(topic, value(prefix, i))).get(60, TimeUnit.SECONDS);
        }
    }

    /** acks=1 without idempotence or retries, to one broker only: the records exist on that leader alone. */
    private static KafkaProducer<byte[], byte[]> acks1To(BrokerProcess node) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.RETRIES_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /**
     * Issue 12, test 3. The leader takes acks=1 writes while both followers are paused (no quorum, so
     * no ISR change either), is killed, and the followers elect one of themselves at leader epoch + 1,
     * which assigns the same offsets to other records. The old leader must then truncate by leader
     * epoch to exactly where the new epoch starts: not to its high watermark (it has none after a
     * restart, and truncating there would drop committed records), and not keep its suffix (its log
     * end would be below the new leader's, so a fetch from there would quietly splice the two
     * histories; the new leader writes more records than the suffix for that reason).
     */
    @Test
    void aReturningLeaderTruncatesExactlyItsDivergentSuffixByLeaderEpoch() throws Exception {
        int committed = 100;
        int unreplicated = 30;
        int afterFailover = 50;
        start();
        admin.createTopics(List.of(new NewTopic("fork", 1, (short) 3))).all().get();
        awaitCluster().until(() -> partition0(admin, "fork").isr().size() == 3);
        TopicPartitionInfo before = partition0(admin, "fork");
        int oldLeader = before.leader().id();
        List<BrokerProcess> followers = cluster.nodes().stream().filter(n -> n.nodeId() != oldLeader).toList();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            produce(p, "fork", "committed", committed);
        }

        // From the pause to the kill must stay well under replica.lag.time.max.ms: an ISR shrink the
        // old leader proposed could still reach the paused voters' sockets and be committed after
        // they resume, leaving the partition to the old leader alone. So the producer is ready first.
        try (KafkaProducer<byte[], byte[]> p = acks1To(cluster.node(oldLeader))) {
            assertThat(p.partitionsFor("fork").get(0).leader().id()).isEqualTo(oldLeader);
            for (BrokerProcess f : followers) {
                f.sigstop();
            }
            try {
                // A fetch the leader parked before the pause would be answered with the next append,
                // into the paused follower's socket. Nothing signals that the parked fetches expired;
                // replica.fetch.wait.max.ms bounds it, and the check on the new leader's log end
                // below reports it if that bound did not hold.
                Thread.sleep(FETCH_WAIT_MAX_MS * 3L);
                for (int i = 0; i < unreplicated; i++) {
                    assertThat(p.send(new ProducerRecord<>("fork", value("unreplicated", i))).get(10, TimeUnit.SECONDS)
                            .offset()).isEqualTo(committed + i);
                }
                cluster.node(oldLeader).kill9();
            } finally {
                for (BrokerProcess f : followers) {
                    f.sigcont();
                }
            }
        }

        assertThat(cluster.node(oldLeader).log())
                .as("precondition: no ISR change proposed while the followers were paused").doesNotContain("fork-0: proposing ISR");
        TopicPartitionInfo failedOver = awaitCluster().until(() -> partition0(admin, "fork"),
                now -> now.leader() != null && now.leader().id() != oldLeader);
        BrokerProcess newLeader = cluster.node(failedOver.leader().id());
        int oldEpoch = lastLeaderEpoch(cluster.node(oldLeader), "fork-0");
        String elected = awaitCluster().until(() -> lastLeaderLine(newLeader, "fork-0"), Optional::isPresent)
                .orElseThrow();
        assertThat(elected).as("the new leader, from the ISR at the next epoch, without the acks=1 records")
                .contains("leader at epoch " + (oldEpoch + 1) + " (log end " + committed + ",");
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(cluster.bootstrap(), "all", true, "none")) {
            produce(p, "fork", "after-failover", afterFailover);
        }

        cluster.node(oldLeader).restart();
        awaitCluster().until(() -> ids(partition0(admin, "fork").isr()).contains(oldLeader));

        List<String> truncations = truncations(cluster.node(oldLeader), "fork-0");
        assertThat(truncations).as("the old leader's truncations").hasSize(1);
        assertThat(truncations.get(0)).as("truncated by leader epoch to where epoch %d starts", oldEpoch + 1)
                .contains("fork-0: truncated to " + committed + " (diverging epoch " + oldEpoch + " ends at " + committed
                        + " on the leader)");

        List<String> read = values(Clients.readAll(cluster.bootstrap(), List.of(new TopicPartition("fork", 0)),
                committed + afterFailover, Duration.ofSeconds(60)));
        List<String> acknowledgedAll = new ArrayList<>(expected("committed", committed));
        acknowledgedAll.addAll(expected("after-failover", afterFailover));
        assertThat(read).as("every acks=all record once, in order, and no acks=1 record of the old epoch")
                .containsExactlyElementsOf(acknowledgedAll);

        long highWatermark = latestOffset("fork");
        assertThat(highWatermark).isEqualTo(committed + afterFailover);
        byte[] reference = SegmentBytes.committedPrefix(newLeader, "fork-0", highWatermark);
        for (BrokerProcess n : cluster.nodes()) {
            assertThat(SegmentBytes.committedPrefix(n, "fork-0", highWatermark))
                    .as("node %d's committed bytes", n.nodeId()).isEqualTo(reference);
        }
        cluster.assertLogsClean();
    }

    /**
     * Issue 12, test 4, and the health views. "stale" lives on nodes 1 and 2 and takes acks=all with
     * min.insync.replicas=1; "steady" lives on nodes 1 and 3. Node 2 is paused until it leaves the
     * ISR, so acks=all records go to node 1 alone; then node 1, the ISR's last member, is killed and
     * node 2 resumed (it is needed for a quorum). With unclean election off the partition stays
     * offline although node 2 is alive; turned on, node 2 leads and exactly the records acknowledged
     * while it was out of the ISR are gone.
     */
    @Test
    void aStaleReplicaLeadsOnlyWhenUncleanElectionIsEnabledAndLosesWhatItNeverFetched() throws Exception {
        int replicated = 100;
        int acknowledgedByOneReplica = 50;
        start();
        BrokerProcess first = cluster.node(1);
        BrokerProcess stale = cluster.node(2);
        BrokerProcess third = cluster.node(3);
        admin.createTopics(List.of(
                new NewTopic("stale", Map.of(0, List.of(1, 2))).configs(Map.of("min.insync.replicas", "1")),
                new NewTopic("steady", Map.of(0, List.of(1, 3))).configs(Map.of("min.insync.replicas", "1"))))
                .all().get();
        awaitCluster().until(() -> partition0(admin, "stale").isr().size() == 2 && partition0(admin, "steady").isr().size() == 2);
        // The first group lookup creates __consumer_offsets (RF 3 here): an internal topic, which the
        // health views list unless told --exclude-internal, and listTopics() only when asked.
        awaitCluster().until(() -> admin.listConsumerGroupOffsets("health").partitionsToOffsetAndMetadata().get(),
                Map::isEmpty);
        awaitCluster().until(() -> describeAll(OFFSETS_TOPIC).stream().allMatch(p -> p.isr().size() == 3));
        assertThat(admin.listTopics().names().get()).containsExactlyInAnyOrder("stale", "steady");
        assertThat(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get()).contains(OFFSETS_TOPIC);
        String notPaused = first.bootstrap() + "," + third.bootstrap();
        awaitCluster().untilAsserted(() -> assertThat(partitions(notPaused, "--under-replicated-partitions")).isEmpty());

        try (KafkaProducer<byte[], byte[]> p = Clients.producer(notPaused, "all", true, "none")) {
            produce(p, "stale", "replicated", replicated);
            stale.sigstop();
            try {
                awaitCluster().until(() -> ids(partition0(admin, "stale").isr()).equals(Set.of(1)));
                // Past broker.session.timeout.ms node 2 is fenced: an offline replica of "stale" only.
                awaitCluster().until(() -> offlineReplicas(third, "stale").equals(List.of(2)));
                assertThat(offlineReplicas(third, "steady")).isEmpty();
                // Fenced, node 2 is out of Metadata's brokers, so the tool's admin client never asks it.
                // Node 1's image may be a moment behind node 3's: the views are awaited, not sampled.
                awaitCluster().untilAsserted(() -> assertThat(partitions(notPaused, "--under-replicated-partitions"))
                        .as("while node 2 is fenced").containsExactlyInAnyOrder("stale-0", OFFSETS_TOPIC + "-0",
                                OFFSETS_TOPIC + "-1", OFFSETS_TOPIC + "-2"));
                assertThat(partitions(notPaused, "--under-replicated-partitions", "--exclude-internal"))
                        .containsExactly("stale-0");
                assertThat(partitions(notPaused, "--unavailable-partitions")).isEmpty();
                produce(p, "stale", "one-replica", acknowledgedByOneReplica);
                first.kill9();
            } finally {
                stale.sigcont();
            }
        }

        // One image (node 3's Metadata answer) in which node 1 is fenced and node 2 unfenced: every
        // event that could elect a leader has been applied, and the partition has none.
        PartitionView view = awaitCluster().until(() -> metadata(third, "stale"),
                v -> v.liveBrokers().equals(Set.of(2, 3)));
        assertThat(view.leader()).as("unclean election is off: no leader, although node 2 is alive").isEqualTo(-1);
        assertThat(view.errorCode()).as("LEADER_NOT_AVAILABLE").isEqualTo((short) 5);
        assertThat(view.offlineReplicas()).containsExactly(1);
        assertThat(describeTopicPartitions(third, "stale").offlineReplicas()).containsExactly(1);
        assertThat(offlineReplicas(third, "steady")).containsExactly(1);
        // The admin client and the CLI may ask node 2, whose image can be a moment behind.
        TopicPartitionInfo offline = awaitCluster().until(() -> partition0(admin, "stale"), d -> d.leader() == null);
        assertThat(ids(offline.isr())).containsExactly(1);
        awaitCluster().until(() -> partition0(admin, "steady").leader().id() == 3);
        String alive = stale.bootstrap() + "," + third.bootstrap();
        awaitCluster().untilAsserted(() -> assertThat(partitions(alive, "--unavailable-partitions"))
                .containsExactly("stale-0"));
        // Internal topics left out: node 2 may be rejoining the ISRs of __consumer_offsets right now.
        awaitCluster().untilAsserted(() -> assertThat(partitions(alive, "--under-replicated-partitions",
                "--exclude-internal")).containsExactlyInAnyOrder("stale-0", "steady-0"));

        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "stale"), List.of(
                new AlterConfigOp(new ConfigEntry("unclean.leader.election.enable", "true"), AlterConfigOp.OpType.SET))))
                .all().get();
        TopicPartitionInfo elected = awaitCluster().until(() -> partition0(admin, "stale"), d -> d.leader() != null);
        assertThat(elected.leader().id()).isEqualTo(2);
        assertThat(ids(elected.isr())).containsExactly(2);
        awaitCluster().until(() -> partitions(alive, "--unavailable-partitions").isEmpty());

        Clients.ReadResult read = Clients.readToEnd(alive, List.of(new TopicPartition("stale", 0)),
                Duration.ofSeconds(60));
        assertThat(read.complete()).as(read.describe()).isTrue();
        assertThat(values(read.records())).as("what survives: the records node 2 had fetched")
                .containsExactlyElementsOf(expected("replicated", replicated));
        int acknowledged = replicated + acknowledgedByOneReplica;
        assertThat(acknowledged - read.records().size()).as("acknowledged records lost by the unclean election")
                .isEqualTo(acknowledgedByOneReplica);

        // The old leader returns and gives up the records only it has, by leader epoch like any follower.
        first.restart();
        awaitCluster().until(() -> ids(partition0(admin, "stale").isr()).equals(Set.of(1, 2)));
        // Node 1 acknowledged its records alone, so its high watermark passed them: it truncates below
        // it, with a warning whenever the checkpoint held that high watermark when it was killed.
        assertThat(truncations(first, "stale-0")).filteredOn(l -> !l.contains("truncating below the high watermark"))
                .singleElement().asString()
                .contains("stale-0: truncated to " + replicated + " (diverging epoch ");
        assertThat(latestOffset("stale")).isEqualTo(replicated);
        assertThat(SegmentBytes.committedPrefix(first, "stale-0", replicated))
                .isEqualTo(SegmentBytes.committedPrefix(stale, "stale-0", replicated));
        cluster.assertLogsClean();
    }

    /** What the replication layer logged about cutting a partition's log on a node. */
    private static List<String> truncations(BrokerProcess node, String partition) {
        Pattern cut = Pattern.compile(Pattern.quote(partition) + ": (truncated to \\d+ \\(|emptied|truncating below)");
        return node.log().lines().filter(l -> cut.matcher(l).find()).toList();
    }

    /** Partitions ({@code topic-n}) that {@code kafka-topics --describe} lists with reporting options. */
    private static List<String> partitions(String bootstrap, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--describe"));
        args.addAll(List.of(options));
        KafkaCli.Result r = KafkaCli.topics(bootstrap, args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        List<String> out = new ArrayList<>();
        Matcher m = PARTITION_LINE.matcher(r.output());
        while (m.find()) {
            out.add(m.group(1) + "-" + m.group(2));
        }
        return out;
    }

    /**
     * Partition 0 of a topic as one node answers it: leader, error and offline replicas, and the
     * brokers the same answer lists (Metadata: the unfenced ones; DescribeTopicPartitions: none).
     */
    private record PartitionView(int leader, short errorCode, List<Integer> offlineReplicas, Set<Integer> liveBrokers) { }

    private static PartitionView metadata(BrokerProcess node, String topic) throws Exception {
        short version = 12;
        try (RawClient c = new RawClient(new InetSocketAddress("localhost", node.clientPort()))) {
            c.send(ApiVersionsTable.METADATA, version, 1, new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName(topic))).setAllowAutoTopicCreation(false));
            MetadataResponseData resp = c.read(ApiVersionsTable.METADATA, version, MetadataResponseData.class);
            MetadataResponseData.MetadataResponsePartition p = resp.topics().find(topic).partitions().get(0);
            Set<Integer> brokers = new TreeSet<>();
            resp.brokers().forEach(b -> brokers.add(b.nodeId()));
            return new PartitionView(p.leaderId(), p.errorCode(), p.offlineReplicas(), brokers);
        }
    }

    private static PartitionView describeTopicPartitions(BrokerProcess node, String topic) throws Exception {
        short version = 0;
        try (RawClient c = new RawClient(new InetSocketAddress("localhost", node.clientPort()))) {
            c.send(ApiVersionsTable.DESCRIBE_TOPIC_PARTITIONS, version, 1, new DescribeTopicPartitionsRequestData()
                    .setTopics(List.of(new DescribeTopicPartitionsRequestData.TopicRequest().setName(topic)))
                    .setResponsePartitionLimit(100));
            DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition p = c.read(
                    ApiVersionsTable.DESCRIBE_TOPIC_PARTITIONS, version, DescribeTopicPartitionsResponseData.class)
                    .topics().find(topic).partitions().get(0);
            return new PartitionView(p.leaderId(), p.errorCode(), p.offlineReplicas(), Set.of());
        }
    }

    /** Offline replicas of partition 0 in Metadata, after checking DescribeTopicPartitions says the same. */
    private static List<Integer> offlineReplicas(BrokerProcess node, String topic) throws Exception {
        List<Integer> fromMetadata = metadata(node, topic).offlineReplicas();
        assertThat(describeTopicPartitions(node, topic).offlineReplicas()).as("DescribeTopicPartitions")
                .isEqualTo(fromMetadata);
        return fromMetadata;
    }

    /** The last "leader at epoch" line a node logged for a partition. */
    private static Optional<String> lastLeaderLine(BrokerProcess node, String partition) {
        return node.log().lines().filter(l -> l.contains(partition + ": leader at epoch ")).reduce((a, b) -> b);
    }

    private static int lastLeaderEpoch(BrokerProcess node, String partition) {
        String line = lastLeaderLine(node, partition).orElseThrow();
        Matcher m = Pattern.compile(": leader at epoch (\\d+) ").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private long latestOffset(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
    }
}
