package io.sluice.server.group.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.group.it.ShareMemberThread.Delivery;
import io.sluice.server.it.BrokerProcess;
import io.sluice.server.it.ClusterFixture;
import io.sluice.server.it.ClusterLogsOnFailure;
import io.sluice.server.it.ClusterProcess;
import io.sluice.server.it.KafkaCli;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Share groups (KIP-932) on a real 3-process cluster (combined mode) with kafka-clients 4.4's
 * KafkaShareConsumer, where a share-partition's state lives in a partition of
 * {@code __share_group_state} led by another broker than the topic partition: consumed and
 * acknowledged across brokers, kept when the state partition's leader is killed, and described by
 * kafka-share-groups through a broker that leads none of the group's state.
 */
@Tag("slow")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class ShareGroupClusterTest {

    private static final int STATE_PARTITIONS = 3;
    private static final Map<String, String> SETTINGS = Map.of(
            "sluice.share.version", "1",
            // A record still locked to a consumer that went away comes back within seconds.
            "group.share.record.lock.duration.ms", "5000",
            "share.coordinator.state.topic.num.partitions", Integer.toString(STATE_PARTITIONS),
            "share.coordinator.state.topic.replication.factor", "3",
            // A killed node is fenced, and its partitions led elsewhere, within seconds.
            "broker.session.timeout.ms", "6000",
            "broker.heartbeat.interval.ms", "500");

    private static final String STATE_TOPIC = "__share_group_state";
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;
    private static final int FIRST_RECORDS = 600;
    private static final int LATER_RECORDS = 300;
    private static final int MEMBERS = 3;
    private static final int GROUP_CANDIDATES = 100;
    private static final int NO_LEADER = -1;

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    private ClusterProcess cluster;
    private Admin admin;

    /** An admin call may land on a killed node and time out: that is no answer, ask again. */
    private static ConditionFactory awaitCluster() {
        return await().ignoreExceptions().atMost(Duration.ofSeconds(60));
    }

    /** Kafka's share coordinator placement of a share-partition's state (SharePartitionKey, Utils.abs). */
    private static int statePartition(String group, Uuid topicId, int partition) {
        return Utils.abs((group + ":" + topicId + ":" + partition).hashCode()) % STATE_PARTITIONS;
    }

    @Test
    void shareStateLedByOtherBrokersKeepsEveryAcknowledgementThroughTheKillOfItsLeader() throws Exception {
        cluster = fixture.start(3, SETTINGS);
        // A call that lands on the killed node fails soon and is asked again (awaitCluster).
        admin = fixture.adminFailingFast();
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3))).all().get(60, TimeUnit.SECONDS);
        awaitCluster().until(() -> describe(TOPIC).partitions().stream()
                .allMatch(i -> i.leader() != null && i.isr().size() == 3));
        Uuid topicId = describe(TOPIC).topicId();
        awaitStateTopic();

        String group = chooseGroup(topicId);
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group),
                List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        produce(0, FIRST_RECORDS);
        consumeExactly(group, 0, FIRST_RECORDS);

        // The members are closed with every acknowledgement confirmed: nothing is acquired at the kill,
        // so nothing may come back.
        Map<Integer, Integer> topicLeaders = leaders(TOPIC);
        Map<Integer, Integer> stateLeaders = leaders(STATE_TOPIC);
        int keyPartition = IntStream.range(0, PARTITIONS)
                .filter(i -> !stateLeaders.get(statePartition(group, topicId, i)).equals(topicLeaders.get(i)))
                .findFirst().orElseThrow(() -> new AssertionError("leaders moved: every state partition of " + group
                        + " is now led with its topic partition: " + topicLeaders + " " + stateLeaders));
        int killedState = statePartition(group, topicId, keyPartition);
        int victim = stateLeaders.get(killedState);
        System.out.printf("killing node %d, leader of %s-%d (state of %s-%d, led by node %d)%n", victim, STATE_TOPIC,
                killedState, TOPIC, keyPartition, topicLeaders.get(keyPartition));
        cluster.node(victim).kill9();
        int newStateLeader = awaitCluster().until(() -> leaders(STATE_TOPIC).get(killedState),
                l -> l != NO_LEADER && l != victim);
        System.out.printf("%s-%d is led by node %d now; %s leaders %s%n", STATE_TOPIC, killedState, newStateLeader,
                TOPIC, leaders(TOPIC));
        cluster.node(victim).restart();
        awaitCluster().until(() -> inEveryIsr(victim, TOPIC) && inEveryIsr(victim, STATE_TOPIC));

        produce(FIRST_RECORDS, LATER_RECORDS);
        consumeExactly(group, FIRST_RECORDS, LATER_RECORDS);

        describeOffsetsThroughABrokerLeadingNoneOfTheGroupsState(group, topicId);
        cluster.assertLogsClean();
    }

    /**
     * {@code __share_group_state} is created on a share-partition's first need: a throwaway group's
     * member makes it.
     */
    private void awaitStateTopic() throws Exception {
        try (ShareMemberThread probe = new ShareMemberThread(0, cluster.bootstrap(), "state-topic-probe", TOPIC,
                new ConcurrentLinkedQueue<>(), r -> AcknowledgeType.ACCEPT)) {
            awaitCluster().until(() -> leaders(STATE_TOPIC).size() == STATE_PARTITIONS
                    && !leaders(STATE_TOPIC).containsValue(NO_LEADER));
            assertThat(probe.failure()).as("probe failure").isNull();
        }
    }

    /**
     * The first of g-0, g-1, ... with a share-partition whose state partition is led by another
     * broker than the topic partition (the share-partition's leader must then reach that broker).
     */
    private String chooseGroup(Uuid topicId) throws Exception {
        Map<Integer, Integer> topicLeaders = leaders(TOPIC);
        Map<Integer, Integer> stateLeaders = leaders(STATE_TOPIC);
        for (int c = 0; c < GROUP_CANDIDATES; c++) {
            String group = "g-" + c;
            List<String> placements = new ArrayList<>();
            boolean split = false;
            for (int i = 0; i < PARTITIONS; i++) {
                int state = statePartition(group, topicId, i);
                split |= !stateLeaders.get(state).equals(topicLeaders.get(i));
                placements.add(String.format("%s-%d on node %d, its state in %s-%d on node %d", TOPIC, i,
                        topicLeaders.get(i), STATE_TOPIC, state, stateLeaders.get(state)));
            }
            if (split) {
                System.out.println("share group " + group + ": " + String.join("; ", placements));
                return group;
            }
        }
        throw new AssertionError("no candidate group's state is led apart from its partitions: " + topicLeaders
                + " " + stateLeaders);
    }

    /** Values "v&lt;i&gt;" for i in [from, from + count), record i to partition i % PARTITIONS, each acks=all. */
    private void produce(int from, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                sent.add(producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * {@link #MEMBERS} new members of {@code group} accept records until each of v&lt;from&gt; ..
     * v&lt;from + count - 1&gt; has a confirmed acknowledgement, and are closed. They must have been
     * delivered exactly those records, each once (so none was acknowledged twice either).
     */
    private void consumeExactly(String group, int from, int count) throws Exception {
        Set<String> expected = IntStream.range(from, from + count).mapToObj(i -> "v" + i).collect(Collectors.toSet());
        ConcurrentLinkedQueue<Delivery> delivered = new ConcurrentLinkedQueue<>();
        List<ShareMemberThread> members = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int m = 0; m < MEMBERS; m++) {
                members.add(new ShareMemberThread(m, cluster.bootstrap(), group, TOPIC, delivered,
                        r -> AcknowledgeType.ACCEPT));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ShareMemberThread m : members) {
                    if (m.failure() != null) {
                        throw new AssertionError("member failed", m.failure());
                    }
                }
                return values(acknowledged(members)).containsAll(expected);
            });
        } finally {
            for (ShareMemberThread m : members) {
                m.close();
            }
        }
        for (ShareMemberThread m : members) {
            assertThat(m.failure()).as("member failure").isNull();
        }
        System.out.printf("%d records acknowledged in %d ms; deliveries per member: %s%n", count,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                delivered.stream().collect(Collectors.groupingBy(Delivery::member, TreeMap::new, Collectors.counting())));
        assertThat(values(delivered)).as("each record delivered once").doesNotHaveDuplicates();
        assertThat(Set.copyOf(values(delivered))).as("exactly the records not acknowledged before").isEqualTo(expected);
        assertThat(values(acknowledged(members))).as("each record acknowledged once").doesNotHaveDuplicates();
    }

    private static List<Delivery> acknowledged(List<ShareMemberThread> members) {
        return members.stream().flatMap(m -> m.acknowledged.stream()).toList();
    }

    private static List<String> values(Collection<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::value).toList();
    }

    /**
     * kafka-share-groups --describe --offsets, through a broker leading none of the group's state
     * partitions when one does (the node restarted above leads nothing until leadership is
     * rebalanced): every partition's start offset at its log end, lag 0.
     */
    private void describeOffsetsThroughABrokerLeadingNoneOfTheGroupsState(String group, Uuid topicId) throws Exception {
        Map<Integer, Integer> stateLeaders = leaders(STATE_TOPIC);
        Set<Integer> groupStateLeaders = IntStream.range(0, PARTITIONS)
                .mapToObj(i -> stateLeaders.get(statePartition(group, topicId, i))).collect(Collectors.toSet());
        BrokerProcess through = cluster.nodes().stream().filter(n -> !groupStateLeaders.contains(n.nodeId()))
                .findFirst().orElse(cluster.node(1));
        System.out.printf("describing %s through node %d (the group's state partitions are led by %s)%n", group,
                through.nodeId(), groupStateLeaders);
        long logEnd = (FIRST_RECORDS + LATER_RECORDS) / PARTITIONS;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            KafkaCli.Result r = KafkaCli.shareGroups(through.bootstrap(), "--describe", "--group", group, "--offsets");
            assertThat(r.exitCode()).as(r.output()).isZero();
            Map<Integer, List<Long>> rows = offsetRows(r.output(), group);
            assertThat(rows).as(r.output()).containsOnlyKeys(0, 1, 2);
            rows.forEach((partition, startAndLag) -> assertThat(startAndLag)
                    .as("%s-%d start offset and lag in:%n%s", TOPIC, partition, r.output())
                    .containsExactly(logEnd, 0L));
        });
    }

    /** kafka-share-groups' offsets table, read by its header: partition -> [start offset, lag]; "-" is -1. */
    private static Map<Integer, List<Long>> offsetRows(String output, String group) {
        List<String> lines = output.lines().map(String::trim).toList();
        List<String> columns = lines.stream().filter(l -> l.startsWith("GROUP") && l.contains("START-OFFSET"))
                .findFirst().map(l -> List.of(l.split("\\s+")))
                .orElseThrow(() -> new AssertionError("no offsets table in:\n" + output));
        int topic = columns.indexOf("TOPIC");
        int partition = columns.indexOf("PARTITION");
        int start = columns.indexOf("START-OFFSET");
        int lag = columns.indexOf("LAG");
        Map<Integer, List<Long>> rows = new TreeMap<>();
        for (String l : lines) {
            String[] f = l.split("\\s+");
            if (f.length == columns.size() && f[0].equals(group) && f[topic].equals(TOPIC)) {
                rows.put(Integer.parseInt(f[partition]), List.of(offsetOrMinusOne(f[start]), offsetOrMinusOne(f[lag])));
            }
        }
        return rows;
    }

    private static long offsetOrMinusOne(String field) {
        return field.matches("\\d+") ? Long.parseLong(field) : -1;
    }

    private TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    /** Each partition's leader ({@link #NO_LEADER} for none), as the cluster describes it. */
    private Map<Integer, Integer> leaders(String topic) throws Exception {
        Map<Integer, Integer> out = new TreeMap<>();
        for (TopicPartitionInfo i : describe(topic).partitions()) {
            out.put(i.partition(), i.leader() == null ? NO_LEADER : i.leader().id());
        }
        return out;
    }

    private boolean inEveryIsr(int node, String topic) throws Exception {
        return describe(topic).partitions().stream()
                .allMatch(i -> i.isr().stream().anyMatch(n -> n.id() == node));
    }
}
