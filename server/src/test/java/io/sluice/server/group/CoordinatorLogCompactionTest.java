package io.sluice.server.group;

import static io.sluice.server.group.GroupHarness.assign;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.classic.ClassicGroup;
import io.sluice.server.group.consumer.ConsumerGroup;
import io.sluice.server.group.consumer.ConsumerGroupRecords;
import io.sluice.server.group.consumer.ConsumerMember;
import io.sluice.server.group.log.ConsumerGroupRecordDescriptor;
import io.sluice.server.group.log.GroupRecords;
import io.sluice.server.group.offsets.OffsetManager;
import io.sluice.server.group.share.ShareGroupRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A partition of {@code __consumer_offsets} with many writes of the same keys, cleaned by storage's
 * real log cleaner: a shard loaded from the cleaned log has the same groups, generations, members,
 * assignments and offsets as one loaded before cleaning, and deleted groups and offsets stay
 * deleted, both while their tombstones are kept ({@code delete.retention.ms}) and after the cleaner
 * removed them. With each codec the coordinator may write ({@code offsets.topic.compression.codec}),
 * which the cleaned batches keep.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoordinatorLogCompactionTest {

    private static final OffsetManager.PartitionExists TOPIC_T = (t, p) -> t.equals("t") && p >= 0 && p < 6;
    private static final long DELETE_RETENTION_MS = 60_000;

    @TempDir
    Path dir;

    private GroupHarness h;

    /** Each codec of {@code offsets.topic.compression.codec}: none, gzip, snappy, lz4, zstd. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void aCleanedOffsetsLogLoadsTheSameStateAndDeletedGroupsStayDeleted(int codec) throws Exception {
        ManualClock clock = new ManualClock();
        try (CleanedGroupLog log = new CleanedGroupLog(dir, GroupConfig.OFFSETS_TOPIC, 16 * 1024, DELETE_RETENTION_MS,
                codec, clock)) {
            h = new GroupHarness(GroupConfig.defaults(), clock, log);
            h.topics.create("t", 6);
            writeManyVersionsOfTheSameKeys();

            h.reload();
            Map<String, Object> before = state();
            assertDeletedStayDeleted();
            List<GroupRecords.Record> written = log.records();
            long bytesWritten = log.sizeInBytes();

            assertThat(log.codecs()).containsExactly(codec);
            assertThat(log.rollAndClean()).as("cleanings").isPositive();
            assertThat(log.codecs()).as("cleaned batches keep their codec").containsExactly(codec);
            List<GroupRecords.Record> cleaned = log.records();
            assertThat(cleaned.size()).as("records left of %d", written.size()).isLessThan(written.size() / 10);
            assertThat(log.offsetSpan()).as("offset gaps where records were removed").isGreaterThan(cleaned.size());
            assertThat(log.sizeInBytes()).isLessThan(bytesWritten / 5);
            assertThat(cleaned).as("tombstones younger than delete.retention.ms are kept")
                    .anyMatch(r -> r.value() == null);
            h.reload();
            assertThat(state()).isEqualTo(before);
            assertDeletedStayDeleted();

            // Past the tombstones' delete horizon, more commits make the log dirty again; the next
            // cleaning removes the tombstones, and with them every trace of the deleted groups.
            clock.advance(DELETE_RETENTION_MS + 1000);
            for (int i = 0; i < 300; i++) {
                commit(GroupHarness.commitRequest("s1", -1, "", null, i % 6, 10_000L + i, "again-" + i));
            }
            h.reload();
            Map<String, Object> later = state();
            assertThat(log.rollAndClean()).isPositive();
            assertThat(log.records()).as("tombstones past their horizon are removed").noneMatch(r -> r.value() == null);
            h.reload();
            assertThat(state()).isEqualTo(later);
            assertDeletedStayDeleted();
        }
    }

    /**
     * What a cleaning can leave of a deleted group before its own tombstones: member tombstones. They
     * change and create nothing (without this, an empty consumer or share group would appear).
     */
    @Test
    void tombstonesOfGroupsNotLoadedCreateNoGroup() {
        h = new GroupHarness();
        for (short type : new short[] {ConsumerGroupRecordDescriptor.MEMBER_METADATA,
                ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_MEMBER, ConsumerGroupRecordDescriptor.CURRENT_MEMBER_ASSIGNMENT}) {
            h.log.records.add(ConsumerGroupRecords.memberTombstone(type, "cg", "m"));
        }
        for (short type : new short[] {ShareGroupRecords.MEMBER_METADATA, ShareGroupRecords.CURRENT_MEMBER_ASSIGNMENT}) {
            h.log.records.add(new GroupRecords.Record(ShareGroupRecords.key(type, "sg", "m"), null));
        }
        h.reload();
        assertThat(h.shard.list(Set.of(), Set.of())).isEmpty();
        assertThat(h.shard.consumer().isConsumerGroup("cg")).isFalse();
        assertThat(h.shard.shareGroups().contains("sg")).isFalse();
    }

    /** Classic, commit-only and KIP-848 groups, each written many times; some groups and offsets deleted. */
    private void writeManyVersionsOfTheSameKeys() {
        var joining = h.joinNew("live");
        h.step(3000); // group.initial.rebalance.delay.ms
        JoinGroupResponseData member = joining.join();
        assertThat(member.errorCode()).isZero();
        assertThat(h.sync("live", member, assign(member.memberId(), "A")).join().errorCode()).isZero();
        for (int round = 0; round < 100; round++) {
            Object[] all = new Object[18];
            for (int p = 0; p < 6; p++) {
                all[3 * p] = p;
                all[3 * p + 1] = (long) (round * 10 + p);
                all[3 * p + 2] = "live-" + round;
            }
            commit(GroupHarness.commitRequest("live", member.generationId(), member.memberId(), null, all));
        }
        for (int i = 0; i < 1500; i++) {
            commit(GroupHarness.commitRequest("s" + (i % 5), -1, "", null, i % 6, (long) i, "meta-" + i));
        }
        commit(GroupHarness.commitRequest("gone", -1, "", null, 0, 1L, "", 1, 2L, "", 2, 3L, ""));
        assertThat(h.shard.deleteGroup("gone")).isEqualTo(Errors.NONE);
        OffsetDeleteRequestData delete = new OffsetDeleteRequestData().setGroupId("s0");
        OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t")
                .setPartitions(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(5))));
        delete.setTopics(topics);
        assertThat(h.shard.offsets().delete(delete, TOPIC_T, t -> false).errorCode()).isZero();

        // KIP-848: one group kept (its member heartbeats many times), one whose member left and which was deleted.
        var a = heartbeat(join("cg-live", "a"));
        assertThat(a.errorCode()).isZero();
        var owned = a.assignment();
        int epoch = a.memberEpoch();
        for (int i = 0; i < 20; i++) {
            var r = heartbeat(ConsumerGroupReconciliationTest.beat("cg-live", "a", epoch, owned)
                    .setSubscribedTopicNames(i % 2 == 0 ? List.of("t", "u") : List.of("t")));
            assertThat(r.errorCode()).isZero();
            epoch = r.memberEpoch();
            owned = r.assignment() != null ? r.assignment() : owned;
        }
        assertThat(epoch).as("each subscription change bumped the group epoch").isGreaterThan(10);
        assertThat(heartbeat(join("cg-gone", "b")).errorCode()).isZero();
        assertThat(heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("cg-gone").setMemberId("b")
                .setMemberEpoch(-1)).errorCode()).isZero();
        assertThat(h.shard.deleteGroup("cg-gone")).isEqualTo(Errors.NONE);
    }

    private void assertDeletedStayDeleted() {
        assertThat(h.shard.groups().get("gone")).isNull();
        assertThat(h.shard.consumer().isConsumerGroup("cg-gone")).isFalse();
        assertThat(h.shard.groups().get("cg-gone")).isNull();
        Map<String, Map<TopicPartition, OffsetManager.Committed>> offsets = h.shard.offsets().snapshot();
        assertThat(offsets).doesNotContainKey("gone").doesNotContainKey("cg-gone");
        assertThat(offsets.get("s0")).doesNotContainKey(new TopicPartition("t", 5)).hasSize(5);
        assertThat(h.shard.list(Set.of(), Set.of())).extracting(ListedGroup::groupId)
                .containsExactlyInAnyOrder("live", "s0", "s1", "s2", "s3", "s4", "cg-live");
    }

    /** What a loaded shard holds: every group as listed and described, consumer group members, offsets. */
    private Map<String, Object> state() {
        Map<String, Object> s = new TreeMap<>();
        for (ListedGroup g : h.shard.list(Set.of(), Set.of())) {
            s.put("listed " + g.groupId(), g.groupType() + "/" + g.groupState() + "/" + g.protocolType());
        }
        for (ClassicGroup g : h.shard.groups().all()) {
            DescribedGroup d = h.shard.describe(g.groupId(), (short) 5);
            List<String> members = new ArrayList<>();
            d.members().forEach(m -> members.add(m.memberId() + ":" + new String(m.memberAssignment(), StandardCharsets.UTF_8)));
            members.sort(null);
            s.put("classic " + g.groupId(), List.of(g.generationId(), String.valueOf(g.leaderId()), d.groupState(),
                    d.protocolType(), d.protocolData(), members));
        }
        for (ConsumerGroup g : h.shard.consumer().groups()) {
            Map<String, ConsumerMember> members = new TreeMap<>();
            g.members().forEach(m -> members.put(m.memberId(), m));
            s.put("consumer " + g.groupId(), List.of(g.groupEpoch(), g.assignmentEpoch(), members, Map.copyOf(g.target())));
        }
        s.put("offsets", h.shard.offsets().snapshot());
        return s;
    }

    private void commit(OffsetCommitRequestData req) {
        h.shard.offsets().commit(req, (short) 8, TOPIC_T).join().topics()
                .forEach(t -> t.partitions().forEach(p -> assertThat(p.errorCode()).isZero()));
    }


    private ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData r) {
        return h.shard.consumer().heartbeat(r, (short) 1, "client", "/127.0.0.1");
    }

    private static ConsumerGroupHeartbeatRequestData join(String group, String member) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(0)
                .setRebalanceTimeoutMs(5000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of());
    }
}
