package io.sluice.server.group;

import static io.sluice.server.group.GroupHarness.assign;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.classic.GroupState;
import io.sluice.server.group.log.GroupRecords;
import io.sluice.server.group.offsets.OffsetManager;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Committed offsets, their validation, and the group state surviving a reload from the log. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OffsetsAndPersistenceTest {

    private static final OffsetManager.PartitionExists TOPIC_T = (t, p) -> t.equals("t") && p >= 0 && p < 6;

    private GroupHarness h = new GroupHarness();


    private OffsetCommitResponseData commit(OffsetCommitRequestData req) {
        return h.shard.offsets().commit(req, (short) 8, TOPIC_T).join();
    }

    private static List<Short> errors(OffsetCommitResponseData r) {
        return r.topics().stream().flatMap(t -> t.partitions().stream()).map(p -> p.errorCode()).toList();
    }

    private long committed(String group, int partition) {
        OffsetFetchResponseData.OffsetFetchResponseGroup g = h.shard.offsets().fetch(group, List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("t")
                        .setPartitionIndexes(List.of(partition))));
        return g.topics().get(0).partitions().get(0).committedOffset();
    }

    private JoinGroupResponseData stableSingleMemberGroup(String group) {
        var a = h.joinNew(group);
        h.step(3000);
        JoinGroupResponseData ra = a.getNow(null);
        h.sync(group, ra, assign(ra.memberId(), "A")).getNow(null);
        return ra;
    }

    @Test
    void aCommitWaitingForTheIsrIsAnsweredAndVisibleOnlyOnceCommittedAndInLogOrder() {
        h.log.hold = true;
        CompletableFuture<OffsetCommitResponseData> first = h.shard.offsets().commit(GroupHarness.commitRequest("a", -1, "", null, 0, 10L, ""),
                (short) 8, TOPIC_T);
        CompletableFuture<OffsetCommitResponseData> second = h.shard.offsets().commit(GroupHarness.commitRequest("b", -1, "", null, 0, 20L, ""),
                (short) 8, TOPIC_T);
        CompletableFuture<OffsetCommitResponseData> failed = h.shard.offsets().commit(GroupHarness.commitRequest("c", -1, "", null, 0, 30L, ""),
                (short) 8, TOPIC_T);
        assertThat(first).as("the coordinator went on without waiting for the ISR").isNotDone();
        assertThat(committed("a", 0)).as("not visible before the ISR has it").isEqualTo(-1L);

        h.log.held.get(1).complete(Errors.NONE.code());
        assertThat(second).as("answered in log order: not before the commit written ahead of it").isNotDone();
        h.log.held.get(0).complete(Errors.NONE.code());
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(committed("a", 0)).isEqualTo(10L);
        assertThat(committed("b", 0)).isEqualTo(20L);

        h.log.held.get(2).complete(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND.code());
        assertThat(errors(failed.join())).containsOnly(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(committed("c", 0)).as("a commit the ISR did not take is not applied").isEqualTo(-1L);
    }

    @Test
    void simpleCommitIsFetchedBackWithMetadataAndLeaderEpoch() {
        assertThat(errors(commit(GroupHarness.commitRequest("s", -1, "", null, 0, 42L, "meta", 1, 7L, "")))).containsOnly(Errors.NONE.code());
        var g = h.shard.offsets().fetch("s", null);
        assertThat(g.topics()).hasSize(1);
        var p0 = g.topics().get(0).partitions().stream().filter(p -> p.partitionIndex() == 0).findFirst().orElseThrow();
        assertThat(p0.committedOffset()).isEqualTo(42L);
        assertThat(p0.committedLeaderEpoch()).isEqualTo(3);
        assertThat(p0.metadata()).isEqualTo("meta");
        assertThat(committed("s", 5)).isEqualTo(-1L);
        assertThat(committed("unknown-group", 0)).isEqualTo(-1L);
    }

    @Test
    void badCommitsGetKafkasErrorsAndChangeNothing() {
        JoinGroupResponseData ra = stableSingleMemberGroup("g");
        assertThat(errors(commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 10L, "")))).containsOnly(Errors.NONE.code());
        int recordsBefore = h.log.records.size();

        assertThat(errors(commit(GroupHarness.commitRequest("g", 5, ra.memberId(), null, 0, 99L, ""))))
                .containsOnly(Errors.ILLEGAL_GENERATION.code());
        assertThat(errors(commit(GroupHarness.commitRequest("g", 1, "ghost", null, 0, 99L, ""))))
                .containsOnly(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(errors(commit(GroupHarness.commitRequest("g", -1, "", null, 0, 99L, ""))))
                .containsOnly(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(errors(commit(GroupHarness.commitRequest("g", 1, ra.memberId(), "not-an-instance", 0, 99L, ""))))
                .containsOnly(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(errors(commit(GroupHarness.commitRequest("nogroup", 3, "m", null, 0, 99L, ""))))
                .containsOnly(Errors.ILLEGAL_GENERATION.code());
        assertThat(errors(h.shard.offsets().commit(GroupHarness.commitRequest("nogroup", 3, "m", null, 0, 99L, ""), (short) 9, TOPIC_T).join()))
                .containsOnly(Errors.GROUP_ID_NOT_FOUND.code());
        String big = "x".repeat(4097);
        assertThat(errors(commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 99L, big))))
                .containsOnly(Errors.OFFSET_METADATA_TOO_LARGE.code());
        assertThat(errors(commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 6, 99L, ""))))
                .containsOnly(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(h.log.records).hasSize(recordsBefore);
        assertThat(committed("g", 0)).isEqualTo(10L);
        assertThat(h.shard.groups().get("nogroup")).isNull();

        // a mixed request: the good partition is stored, the bad ones are refused
        var mixed = commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 11L, "", 1, 5L, big, 9, 1L, ""));
        assertThat(errors(mixed)).containsExactly(Errors.NONE.code(), Errors.OFFSET_METADATA_TOO_LARGE.code(),
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(committed("g", 0)).isEqualTo(11L);
        assertThat(committed("g", 1)).isEqualTo(-1L);
    }

    @Test
    void commitDuringCompletingRebalanceIsRefusedWithRebalanceInProgress() {
        var a = h.joinNew("g");
        h.step(3000);
        JoinGroupResponseData ra = a.getNow(null);
        assertThat(h.shard.groups().get("g").state()).isEqualTo(GroupState.COMPLETING_REBALANCE);
        assertThat(errors(commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 1L, ""))))
                .containsOnly(Errors.REBALANCE_IN_PROGRESS.code());
    }

    @Test
    void aFailedAppendIsAnsweredWithTheMappedErrorAndNotApplied() {
        commit(GroupHarness.commitRequest("s", -1, "", null, 0, 1L, ""));
        h.log.failWith = Errors.NOT_LEADER_OR_FOLLOWER.code();
        assertThat(errors(commit(GroupHarness.commitRequest("s", -1, "", null, 0, 2L, "")))).containsOnly(Errors.NOT_COORDINATOR.code());
        h.log.failWith = Errors.MESSAGE_TOO_LARGE.code();
        assertThat(errors(commit(GroupHarness.commitRequest("s", -1, "", null, 0, 2L, ""))))
                .containsOnly(Errors.INVALID_COMMIT_OFFSET_SIZE.code());
        h.log.failWith = Errors.NONE.code();
        assertThat(committed("s", 0)).isEqualTo(1L);
    }

    @Test
    void groupsAndOffsetsSurviveAReloadFromTheLog() {
        JoinGroupResponseData ra = stableSingleMemberGroup("g");
        commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 100L, "m0", 3, 300L, "m3"));
        commit(GroupHarness.commitRequest("simple", -1, "", null, 2, 20L, ""));
        h.reload();
        assertThat(committed("g", 0)).isEqualTo(100L);
        assertThat(committed("g", 3)).isEqualTo(300L);
        assertThat(committed("simple", 2)).isEqualTo(20L);
        var g = h.shard.groups().get("g");
        assertThat(g.state()).isEqualTo(GroupState.STABLE);
        assertThat(g.generationId()).isEqualTo(1);
        assertThat(g.member(ra.memberId()).assignment()).isEqualTo("A".getBytes());
        assertThat(h.shard.groups().get("simple").state()).isEqualTo(GroupState.EMPTY);
        // the member carries on after the failover if it heartbeats within its session
        assertThat(h.heartbeat("g", ra.memberId(), 1).errorCode()).isEqualTo(Errors.NONE.code());
        // ... and one that does not is removed after its session
        h.step(GroupHarness.SESSION_MS + 1);
        assertThat(h.shard.groups().get("g").has(ra.memberId())).isFalse();
    }

    @Test
    void aRecordTheCoordinatorCannotDecodeIsSkippedOnLoad() {
        commit(GroupHarness.commitRequest("s", -1, "", null, 0, 5L, ""));
        h.log.records.add(new GroupRecords.Record(new byte[] {0, 9, 1}, new byte[] {1}));
        h.log.records.add(new GroupRecords.Record(
                GroupRecords.offsetCommitKey("s", "t", 1), new byte[] {0, 3, 1}));
        commit(GroupHarness.commitRequest("s", -1, "", null, 2, 6L, ""));
        h.reload();
        assertThat(committed("s", 0)).isEqualTo(5L);
        assertThat(committed("s", 1)).isEqualTo(-1L);
        assertThat(committed("s", 2)).isEqualTo(6L);
    }

    @Test
    void deleteGroupsRefusesAGroupWithMembersAndDeletesAnEmptyOneDurably() {
        JoinGroupResponseData ra = stableSingleMemberGroup("g");
        commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 5L, ""));
        assertThat(h.shard.deleteGroup("g")).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(h.shard.deleteGroup("nope")).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        h.leave("g", ra.memberId(), null);
        assertThat(h.shard.deleteGroup("g")).isEqualTo(Errors.NONE);
        assertThat(committed("g", 0)).isEqualTo(-1L);
        h.reload();
        assertThat(h.shard.groups().get("g")).isNull();
        assertThat(committed("g", 0)).isEqualTo(-1L);
    }

    @Test
    void offsetDeleteRefusesSubscribedTopicsOfActiveGroups() {
        JoinGroupResponseData ra = stableSingleMemberGroup("g");
        commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 5L, ""));
        OffsetDeleteRequestData req = new OffsetDeleteRequestData().setGroupId("g");
        OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t")
                .setPartitions(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
        req.setTopics(topics);
        var r = h.shard.offsets().delete(req, TOPIC_T, t -> h.shard.isSubscribed("g", t));
        assertThat(r.topics().iterator().next().partitions().iterator().next().errorCode())
                .isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
        h.leave("g", ra.memberId(), null);
        r = h.shard.offsets().delete(req, TOPIC_T, t -> h.shard.isSubscribed("g", t));
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(committed("g", 0)).isEqualTo(-1L);
        h.reload();
        assertThat(committed("g", 0)).isEqualTo(-1L);
        var missing = h.shard.offsets().delete(req.duplicate().setGroupId("nope"), TOPIC_T, t -> false);
        assertThat(missing.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAfterTheRetention() {
        h = new GroupHarness(GroupConfig.defaults().withOffsetsRetentionMs(3_600_000L));
        commit(GroupHarness.commitRequest("s", -1, "", null, 0, 5L, ""));
        h.step(3_000_000L);
        h.shard.expire();
        assertThat(committed("s", 0)).isEqualTo(5L);
        h.step(700_000L);
        h.shard.expire();
        assertThat(committed("s", 0)).isEqualTo(-1L);
        assertThat(h.shard.groups().get("s")).isNull();
        h.reload();
        assertThat(committed("s", 0)).isEqualTo(-1L);
    }

    @Test
    void aStableConsumerGroupKeepsOffsetsOfSubscribedTopicsAndLosesTheOthers() {
        h = new GroupHarness(GroupConfig.defaults().withOffsetsRetentionMs(3_600_000L));
        JoinGroupResponseData ra = stableSingleMemberGroup("g"); // subscribes to "t"
        commit(GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 5L, ""));
        OffsetCommitRequestData other = GroupHarness.commitRequest("g", 1, ra.memberId(), null, 0, 9L, "");
        other.topics().get(0).setName("old");
        h.shard.offsets().commit(other, (short) 8, (t, p) -> true).join();
        for (long t = 0; t < 3_700_000L; t += 5000) { // past the retention, the member heartbeating all along
            h.step(5000);
            assertThat(h.heartbeat("g", ra.memberId(), 1).errorCode()).isEqualTo(Errors.NONE.code());
        }
        h.shard.expire();
        assertThat(committed("g", 0)).isEqualTo(5L);
        assertThat(h.shard.offsets().offsets("g")).containsOnlyKeys(new TopicPartition("t", 0));
    }

    @Test
    void listAndDescribeShowStateMembersAndAssignment() {
        JoinGroupResponseData ra = stableSingleMemberGroup("g");
        commit(GroupHarness.commitRequest("simple", -1, "", null, 0, 1L, ""));
        assertThat(h.shard.list(Set.of(), Set.of())).extracting(g -> g.groupId()).containsExactlyInAnyOrder("g", "simple");
        assertThat(h.shard.list(Set.of("stable"), Set.of())).extracting(g -> g.groupId()).containsExactly("g");
        assertThat(h.shard.list(Set.of("empty"), Set.of())).extracting(g -> g.groupState()).containsExactly("Empty");
        assertThat(h.shard.list(Set.of(), Set.of("consumer"))).isEmpty();
        var d = h.shard.describe("g", (short) 5);
        assertThat(d.groupState()).isEqualTo("Stable");
        assertThat(d.protocolType()).isEqualTo("consumer");
        assertThat(d.protocolData()).isEqualTo("range");
        assertThat(d.members()).hasSize(1);
        assertThat(d.members().get(0).memberId()).isEqualTo(ra.memberId());
        assertThat(d.members().get(0).memberAssignment()).isEqualTo("A".getBytes());
        assertThat(h.shard.describe("nope", (short) 5).groupState()).isEqualTo("Dead");
        assertThat(h.shard.describe("nope", (short) 6).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }
}
