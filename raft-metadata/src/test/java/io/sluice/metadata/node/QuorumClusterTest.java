package io.sluice.metadata.node;

import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.sluice.metadata.node.TestCluster.aCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real quorum of 3 Ratis voters and 2 brokers following the metadata, all in this JVM. */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuorumClusterTest {
    @TempDir
    Path dir;
    private TestCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static CreateTopics.Result create(MetadataNode via, String topic, int partitions, int rf) throws Exception {
        return via.client().submit(new CreateTopics(List.of(CreateTopics.NewTopic.of(topic, partitions, rf)), false))
            .get(30, TimeUnit.SECONDS);
    }

    @Test
    void killingTheRatisLeaderElectsANewOneAndCommandsSucceedAgain() throws Exception {
        cluster = aCluster(dir).voters(3).brokers(101, 102).start();
        int leader = cluster.awaitLeader(20_000);
        cluster.awaitBrokersUnfenced(20_000);
        assertThat(create(cluster.node(101), "before", 2, 2).topics().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);

        cluster.stopNode(leader);
        long t0 = System.nanoTime();
        CreateTopics.Result r = create(cluster.node(102), "after", 2, 2);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.topics().get(0).errorCode()).as("command after leader loss (%d ms)", ms).isEqualTo(ErrorCodes.NONE);
        int newLeader = cluster.awaitLeader(20_000);
        assertThat(newLeader).isNotEqualTo(leader);
        // Both brokers (following the log) and the surviving voters see both topics.
        for (int id : new int[] {101, 102, newLeader}) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> cluster.node(id).image().topic("after") != null);
            assertThat(cluster.node(id).image().topic("before")).isNotNull();
        }
    }

    @Test
    void aSilentBrokerIsFencedAndItsPartitionsMoveToIsrMembersWithAHigherLeaderEpoch() throws Exception {
        cluster = aCluster(dir).voters(3).brokers(101, 102).start();
        cluster.awaitLeader(20_000);
        cluster.awaitBrokersUnfenced(20_000);
        assertThat(create(cluster.node(102), "orders", 6, 2).topics().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        TopicImage before = cluster.node(102).image().topic("orders");
        Map<Integer, Integer> epochsLedBy101 = new HashMap<>();
        for (PartitionImage p : before.partitions()) {
            if (p.leader() == 101) {
                epochsLedBy101.put(p.partitionId(), p.leaderEpoch());
            }
        }
        assertThat(epochsLedBy101).as("broker 101 leads some partitions").isNotEmpty();

        cluster.lifecycle(101).pauseHeartbeats(true);
        await().atMost(15, TimeUnit.SECONDS).until(() -> {
            MetadataImage img = cluster.node(102).image();
            return img.broker(101).map(b -> b.fenced()).orElse(false);
        });
        MetadataImage after = cluster.node(102).image();
        TopicImage t = after.topic("orders");
        for (Map.Entry<Integer, Integer> e : epochsLedBy101.entrySet()) {
            PartitionImage p = t.partition(e.getKey());
            assertThat(p.leader()).as("new leader of %s", p).isEqualTo(102);
            assertThat(p.leaderEpoch()).isGreaterThan(e.getValue());
            assertThat(p.isr()).containsExactly(102);
        }
        for (PartitionImage p : t.partitions()) {
            assertThat(p.leader()).isNotEqualTo(101);
        }

        // Heartbeats resume: the broker is unfenced again (it rejoins ISRs through AlterPartition).
        cluster.lifecycle(101).pauseHeartbeats(false);
        await().atMost(15, TimeUnit.SECONDS).until(() -> cluster.node(102).image().isUnfenced(101));
    }

    @Test
    void aRestartedVoterCatchesUpFromSnapshotAndLog() throws Exception {
        cluster = aCluster(dir).voters(3).brokers(101, 102)
            .tuning(b -> b.snapshotIntervalEntries(20).snapshotRetainCount(2).logSegmentBytes(16 * 1024)).start();
        int leader = cluster.awaitLeader(20_000);
        cluster.awaitBrokersUnfenced(20_000);
        int victim = cluster.voterIds().stream().filter(id -> id != leader).findFirst().orElseThrow();
        long victimOffset = cluster.node(victim).image().offset();
        cluster.stopNode(victim);
        // Enough entries (with big configs) to close log segments that the leader then purges behind
        // its snapshot: the victim cannot catch up from the log alone.
        Map<String, String> bulky = new HashMap<>();
        bulky.put("leader.replication.throttled.replicas", "0:101,".repeat(400)); // a valid replica list
        for (int i = 0; i < 60; i++) {
            CreateTopics.Result r = cluster.node(101).client().submit(new CreateTopics(List.of(
                new CreateTopics.NewTopic("t" + i, 1, (short) 2, List.of(), bulky)), false)).get(30, TimeUnit.SECONDS);
            assertThat(r.topics().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> firstLogIndex(dir.resolve("node-" + leader)) > victimOffset + 1);
        MetadataNode restarted = cluster.startNode(victim);
        MetadataNode reference = cluster.node(101);
        await().atMost(30, TimeUnit.SECONDS).until(() -> restarted.image().topicsByName().size() == 60);
        await().atMost(10, TimeUnit.SECONDS).until(() -> restarted.image().offset() >= reference.image().offset());
        assertThat(restarted.image().topicsByName().keySet()).isEqualTo(reference.image().topicsByName().keySet());
        assertThat(restarted.image().topic("t59").topicId()).isEqualTo(reference.image().topic("t59").topicId());
        // Snapshots were taken and retention is bounded on every voter.
        for (int id : cluster.voterIds()) {
            long snapshots = countSnapshots(dir.resolve("node-" + id));
            assertThat(snapshots).as("snapshots of voter %d", id).isBetween(1L, 2L);
        }
    }

    @Test
    void aMinorityCannotCommitAndCommitsResumeWhenTheMajorityReturns() throws Exception {
        cluster = aCluster(dir).voters(3).brokers(101, 102)
            .tuning(b -> b.submitTimeoutMs(3000)).start();
        int leader = cluster.awaitLeader(20_000);
        cluster.awaitBrokersUnfenced(20_000);
        // Keep the old leader alone: it is a minority of one.
        List<Integer> others = cluster.voterIds().stream().filter(id -> id != leader).toList();
        others.forEach(cluster::stopNode);
        MetadataNode lonely = cluster.node(leader);
        long offsetBefore = lonely.image().offset();
        CreateTopics.Result r = create(lonely, "lost", 1, 1);
        assertThat(r.topics().get(0).errorCode()).isIn(ErrorCodes.REQUEST_TIMED_OUT, ErrorCodes.NOT_CONTROLLER);
        assertThat(lonely.image().topic("lost")).isNull();
        assertThat(lonely.image().offset()).isEqualTo(offsetBefore);

        for (int id : others) {
            cluster.startNode(id);
        }
        cluster.awaitLeader(20_000);
        // The same client that exhausted its retries works again (its Ratis client is renewed).
        CreateTopics.Result ok = create(lonely, "found", 1, 1);
        assertThat(ok.topics().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        assertThat(lonely.image().topic("found")).isNotNull();
        // The outage outlasted the 2 s broker session, yet the new leader counts sessions from its own start.
        assertThat(lonely.image().brokers().values()).noneMatch(BrokerRegistration::fenced);
        // "lost" timed out: its outcome is unknown, not a failure. The old leader appended it to its
        // log while alone; if it wins the next election with that longer log, Raft commits the entry
        // later. What must hold is agreement: once every voter applied "found" (appended after
        // "lost"), "lost" is absent everywhere or present with the same topic id everywhere.
        List<Integer> voters = cluster.voterIds();
        await().atMost(20, TimeUnit.SECONDS)
            .until(() -> voters.stream().allMatch(id -> cluster.node(id).image().topic("found") != null));
        Map<Integer, TopicImage> lost = new HashMap<>();
        Map<Integer, TopicImage> found = new HashMap<>();
        for (int id : voters) {
            lost.put(id, cluster.node(id).image().topic("lost"));
            found.put(id, cluster.node(id).image().topic("found"));
        }
        assertThat(found.values().stream().map(TopicImage::topicId).distinct().toList())
            .as("\"found\" on every voter: %s", found).hasSize(1);
        assertThat(lost.values().stream().map(t -> t == null ? "absent" : t.topicId() + "/" + t.partitionCount())
            .distinct().toList())
            .as("\"lost\" absent everywhere or the same everywhere: %s", lost).hasSize(1);
    }

    /** Smallest start index of the Ratis log segments still on disk. */
    private static long firstLogIndex(Path nodeDir) throws IOException {
        try (Stream<Path> s = Files.walk(nodeDir)) {
            return s.map(p -> p.getFileName().toString())
                .filter(n -> n.matches("log_(inprogress_)?\\d+(-\\d+)?"))
                .mapToLong(n -> Long.parseLong(n.replace("log_inprogress_", "").replace("log_", "").split("-")[0]))
                .min().orElse(Long.MAX_VALUE);
        }
    }

    private static long countSnapshots(Path nodeDir) throws IOException {
        try (Stream<Path> s = Files.walk(nodeDir)) {
            return s.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).count();
        }
    }
}
