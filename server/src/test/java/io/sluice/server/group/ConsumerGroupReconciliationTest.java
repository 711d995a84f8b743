package io.sluice.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.consumer.ClusterTopics;
import io.sluice.server.group.consumer.ConsumerGroupConfig;
import io.sluice.server.group.consumer.ConsumerGroupDescriptions;
import io.sluice.server.group.consumer.ConsumerGroupManager;
import io.sluice.server.group.consumer.ConsumerMember;
import io.sluice.server.group.consumer.ConsumerOffsetRules;
import io.sluice.server.group.consumer.MemberState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 heartbeats against one shard with a stepped clock: epochs, revoke-before-assign,
 * sessions, static members, regex subscriptions, persistence, and each error code.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConsumerGroupReconciliationTest {

    static final int SESSION_MS = 10_000;

    final GroupHarness h = new GroupHarness(GroupConfig.defaults().withConsumer(
            ConsumerGroupConfig.defaults().withTimeouts(SESSION_MS, 1000).withMaxSize(3)));

    /** What each member owns as far as it was told (a response without assignment changes nothing). */
    final Map<String, ConsumerGroupHeartbeatResponseData.Assignment> owned = new HashMap<>();

    ConsumerGroupHeartbeatResponseData beat(ConsumerGroupHeartbeatRequestData r) {
        ConsumerGroupHeartbeatResponseData resp = h.shard.consumer().heartbeat(r, (short) 1, "client", "/127.0.0.1");
        if (resp.assignment() != null) {
            owned.put(resp.memberId(), resp.assignment());
        } else if (resp.errorCode() == 0) {
            resp.setAssignment(owned.getOrDefault(resp.memberId(), new ConsumerGroupHeartbeatResponseData.Assignment()));
        }
        return resp;
    }

    static ConsumerGroupHeartbeatRequestData join(String group, String member, String... topics) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(0)
                .setRebalanceTimeoutMs(5000).setSubscribedTopicNames(List.of(topics)).setTopicPartitions(List.of());
    }

    /** A steady heartbeat reporting what the member owns (from the last response's assignment). */
    static ConsumerGroupHeartbeatRequestData beat(String group, String member, int epoch,
                                                  ConsumerGroupHeartbeatResponseData.Assignment owned) {
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> tps = new ArrayList<>();
        owned.topicPartitions().forEach(tp -> tps.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                .setTopicId(tp.topicId()).setPartitions(tp.partitions())));
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(epoch)
                .setTopicPartitions(tps);
    }

    static Set<Integer> partitions(ConsumerGroupHeartbeatResponseData r) {
        return r.assignment().topicPartitions().stream().flatMap(tp -> tp.partitions().stream()).collect(Collectors.toSet());
    }

    @Test
    void aSecondMemberGetsPartitionsOnlyAfterTheFirstRevokedThem() {
        h.topics.create("t", 4);
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t"));
        assertThat(a.errorCode()).isZero();
        assertThat(a.memberEpoch()).isEqualTo(1);
        assertThat(partitions(a)).containsExactlyInAnyOrder(0, 1, 2, 3);

        ConsumerGroupHeartbeatResponseData b = beat(join("g", "b", "t"));
        assertThat(b.memberEpoch()).isEqualTo(2);
        assertThat(partitions(b)).as("b waits: a still owns its target").isEmpty();
        assertThat(b.heartbeatIntervalMs()).as("b is asked back sooner while it waits")
                .isEqualTo(ConsumerGroupManager.UNRELEASED_PARTITIONS_HEARTBEAT_INTERVAL_MS);
        assertThat(h.rebalances.consumer()).as("group epoch bumps: a joined, b joined").isEqualTo(2);

        ConsumerGroupHeartbeatResponseData a2 = beat(beat("g", "a", 1, a.assignment()));
        assertThat(a2.memberEpoch()).as("a stays at its epoch while revoking").isEqualTo(1);
        assertThat(partitions(a2)).hasSize(2);
        assertThat(h.shard.consumer().group("g").state().kafkaName()).isEqualTo("Reconciling");

        ConsumerGroupHeartbeatResponseData b2 = beat(beat("g", "b", 2, b.assignment()));
        assertThat(partitions(b2)).as("still owned by a").isEmpty();

        ConsumerGroupHeartbeatResponseData a3 = beat(beat("g", "a", 1, a2.assignment()));
        assertThat(a3.memberEpoch()).isEqualTo(2);
        ConsumerGroupHeartbeatResponseData b3 = beat(beat("g", "b", 2, b.assignment()));
        assertThat(partitions(b3)).hasSize(2).doesNotContainAnyElementsOf(partitions(a2));
        assertThat(b3.heartbeatIntervalMs()).isEqualTo(1000);
        assertThat(a3.heartbeatIntervalMs()).isEqualTo(1000);
        assertThat(h.shard.consumer().group("g").state().kafkaName()).isEqualTo("Stable");
    }

    @Test
    void aMemberThatDoesNotRevokeWithinItsRebalanceTimeoutIsFenced() {
        h.topics.create("t", 2);
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t"));
        ConsumerGroupHeartbeatResponseData stuck = a;
        ConsumerGroupHeartbeatResponseData b = beat(join("g", "b", "t"));
        for (int i = 0; i < 4; i++) { // a heartbeats in time but keeps reporting both partitions
            h.step(1000);
            assertThat(beat(beat("g", "a", 1, stuck.assignment())).errorCode()).isZero();
            b = beat(beat("g", "b", b.memberEpoch(), b.assignment()));
        }
        assertThat(partitions(b)).as("nothing given while a holds it").isEmpty();
        h.step(2500); // past a's rebalance timeout: 5000 ms from its first heartbeat asked to revoke (t=1000)
        assertThat(h.shard.consumer().group("g").member("a")).isNull();
        assertThat(beat(beat("g", "a", 1, stuck.assignment())).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        b = beat(beat("g", "b", b.memberEpoch(), b.assignment()));
        b = beat(beat("g", "b", b.memberEpoch(), b.assignment()));
        assertThat(partitions(b)).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void aGroupsOwnSessionTimeoutAndHeartbeatIntervalOverrideTheBrokers() {
        h.topics.create("t", 1);
        h.groupConfigs.put("g", Map.of("consumer.session.timeout.ms", "4000", "consumer.heartbeat.interval.ms", "500"));
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t"));
        assertThat(a.heartbeatIntervalMs()).isEqualTo(500);
        h.step(3900);
        assertThat(h.shard.consumer().group("g").member("a")).isNotNull();
        h.step(200);
        assertThat(h.shard.consumer().group("g").member("a")).isNull();
        assertThat(beat(join("h", "b", "t")).heartbeatIntervalMs()).isEqualTo(1000);
    }

    @Test
    void aMemberMissingItsSessionIsFencedAndItsPartitionsMove() {
        h.topics.create("t", 2);
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t"));
        ConsumerGroupHeartbeatResponseData b = beat(join("g", "b", "t"));
        a = beat(beat("g", "a", 1, a.assignment()));
        a = beat(beat("g", "a", a.memberEpoch(), a.assignment()));
        for (int i = 0; i < 12; i++) {
            h.step(1000);
            a = beat(beat("g", "a", a.memberEpoch(), a.assignment()));
        }
        assertThat(h.shard.consumer().group("g").member("b")).isNull();
        assertThat(partitions(a)).containsExactlyInAnyOrder(0, 1);
        assertThat(beat(beat("g", "b", b.memberEpoch(), b.assignment())).errorCode())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void aStaticMemberRejoiningWithinItsSessionTakesItsPartitionsBackWithoutANewEpoch() {
        h.topics.create("t", 4);
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t").setInstanceId("ia"));
        ConsumerGroupHeartbeatResponseData b = beat(join("g", "b", "t").setInstanceId("ib"));
        for (int i = 0; i < 3; i++) {
            a = beat(beat("g", "a", a.memberEpoch(), a.assignment()).setInstanceId("ia"));
            b = beat(beat("g", "b", b.memberEpoch(), b.assignment()).setInstanceId("ib"));
        }
        int epoch = h.shard.consumer().group("g").groupEpoch();
        Set<Integer> bOwned = partitions(b);
        assertThat(bOwned).hasSize(2);
        assertThat(beat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("b").setInstanceId("ib")
                .setMemberEpoch(-2)).memberEpoch()).isEqualTo(-2);
        assertThat(beat(join("g", "b3", "t").setInstanceId("ia")).errorCode())
                .as("ia has not left").isEqualTo(Errors.UNRELEASED_INSTANCE_ID.code());
        ConsumerGroupHeartbeatResponseData b2 = beat(join("g", "b2", "t").setInstanceId("ib"));
        assertThat(partitions(b2)).isEqualTo(bOwned);
        assertThat(h.shard.consumer().group("g").groupEpoch()).isEqualTo(epoch);
        h.reload();
        assertThat(h.shard.consumer().group("g").member("b2").assigned().values().iterator().next()).isEqualTo(bOwned);
        assertThat(h.shard.consumer().group("g").groupEpoch()).isEqualTo(epoch);
    }

    @Test
    void aRegexSubscriptionFollowsANewTopic() {
        h.topics.create("rx-a", 2);
        ConsumerGroupHeartbeatResponseData a = beat(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("a").setMemberEpoch(0).setRebalanceTimeoutMs(5000).setSubscribedTopicRegex("rx-.*")
                .setTopicPartitions(List.of()));
        assertThat(a.errorCode()).isZero();
        assertThat(partitions(a)).hasSize(2);
        ClusterTopics.Topic b = h.topics.create("rx-b", 3);
        a = beat(beat("g", "a", a.memberEpoch(), a.assignment()));
        assertThat(a.assignment().topicPartitions()).anySatisfy(tp -> assertThat(tp.topicId()).isEqualTo(b.id()));
    }

    @Test
    void aChangeWhoseRecordsCannotBeWrittenIsUndone() {
        h.topics.create("t", 2);
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t"));
        h.log.failWith = Errors.NOT_LEADER_OR_FOLLOWER.code();
        assertThat(beat(join("g", "b", "t")).errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(beat(join("g2", "x", "t")).errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
        var g = h.shard.consumer().group("g");
        assertThat(g.member("b")).isNull();
        assertThat(g.groupEpoch()).isEqualTo(1);
        assertThat(g.targetOf("a")).isEqualTo(h.shard.consumer().group("g").member("a").assigned());
        assertThat(h.shard.consumer().group("g2")).as("a group never written is not kept").isNull();
        h.log.failWith = Errors.NONE.code();
        assertThat(beat(beat("g", "a", a.memberEpoch(), a.assignment())).errorCode()).isZero();
        h.reload();
        assertThat(h.shard.consumer().group("g").groupEpoch()).isEqualTo(1);
    }

    @Test
    void staticMembersAreFencedByInstanceIdAndClassicGroupsAreNotConsumerGroups() {
        h.topics.create("t", 2);
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t").setInstanceId("ia"));
        assertThat(beat(beat("g", "other", a.memberEpoch(), a.assignment()).setInstanceId("ia")).errorCode())
                .isEqualTo(Errors.FENCED_INSTANCE_ID.code());
        assertThat(beat(beat("g", "a", a.memberEpoch(), a.assignment()).setInstanceId("unknown-instance")).errorCode())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(beat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("other").setInstanceId("ia")
                .setMemberEpoch(-2)).errorCode()).isEqualTo(Errors.FENCED_INSTANCE_ID.code());
        assertThat(beat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a")
                .setMemberEpoch(-2)).errorCode()).as("-2 needs an instance id").isEqualTo(Errors.INVALID_REQUEST.code());

        // A live classic group whose members are not consumers cannot be upgraded (KIP-848 migration).
        JoinGroupRequestData connect = GroupHarness.joinRequest("classic-g", "", null, "range").setProtocolType("connect");
        String memberId = h.join(connect).getNow(null).memberId();
        h.join(connect.setMemberId(memberId));
        assertThat(beat(join("classic-g", "x", "t")).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(ConsumerGroupDescriptions.describe(h.shard.consumer(), "classic-g", (short) 1).errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(ConsumerGroupDescriptions.describe(h.shard.consumer(), "nope", (short) 1).errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void anEmptyClassicGroupWithOffsetsBecomesAConsumerGroupAndKeepsThem() {
        h.topics.create("t", 1);
        var commit = new OffsetCommitRequestData().setGroupId("g")
                .setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t")
                                .setPartitions(List.of(new OffsetCommitRequestData
                                        .OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(5)))));
        assertThat(h.shard.offsets().commit(commit, (short) 9, (t, p) -> true).join().topics().get(0).partitions().get(0)
                .errorCode()).isZero();
        assertThat(h.shard.groups().get("g")).isNotNull();
        assertThat(beat(join("g", "a", "t")).errorCode()).isZero();
        assertThat(h.shard.groups().get("g")).as("no longer a classic group").isNull();
        h.reload();
        assertThat(h.shard.consumer().group("g").member("a")).isNotNull();
        assertThat(h.shard.groups().get("g")).isNull();
        assertThat(h.shard.offsets().fetch("g", null).topics().get(0).partitions().get(0).committedOffset()).isEqualTo(5);
    }

    @Test
    void anEmptyConsumerGroupWithoutOffsetsIsDeletedByTheExpiryCheckAndStaysDeleted() {
        h.topics.create("t", 1);
        beat(join("gone", "a", "t"));
        beat(new ConsumerGroupHeartbeatRequestData().setGroupId("gone").setMemberId("a").setMemberEpoch(-1));
        beat(join("kept", "b", "t"));
        assertThat(h.shard.consumer().group("gone").state().kafkaName()).isEqualTo("Empty");
        h.shard.expire();
        assertThat(h.shard.consumer().group("gone")).isNull();
        assertThat(h.shard.consumer().group("kept")).isNotNull();
        h.reload();
        assertThat(h.shard.consumer().group("gone")).isNull();
        assertThat(h.shard.consumer().group("kept").member("b")).isNotNull();
    }

    @Test
    void offsetDeleteAndDeleteGroupsTreatAConsumerGroupAsKafkaDoes() {
        h.topics.create("t", 1);
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t"));
        var commit = new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(a.memberEpoch())
                .setMemberId("a").setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t")
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(7)))));
        assertThat(h.shard.offsets().commit(commit, (short) 9, (t, p) -> true).join().topics().get(0).partitions().get(0)
                .errorCode()).isZero();
        var topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t")
                .setPartitions(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
        var delete = new OffsetDeleteRequestData().setGroupId("g").setTopics(topics);
        assertThat(h.shard.offsets().delete(delete, (t, p) -> true, t -> h.shard.isSubscribed("g", t)).topics().iterator()
                .next().partitions().iterator().next().errorCode()).isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
        assertThat(h.shard.deleteGroup("g")).isEqualTo(Errors.NON_EMPTY_GROUP);

        beat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a").setMemberEpoch(-1));
        assertThat(h.shard.deleteGroup("g")).isEqualTo(Errors.NONE);
        assertThat(h.shard.consumer().group("g")).isNull();
        h.reload();
        assertThat(h.shard.consumer().group("g")).isNull();
        assertThat(h.shard.groups().get("g")).isNull();
        assertThat(h.shard.offsets().fetch("g", null).topics()).isEmpty();
    }

    @Test
    void aMemberInAStateThisCoordinatorDoesNotKnowIsFencedUnlessItOwnsNothing() {
        var t = h.topics.create("t", 2);
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t"));
        var g = h.shard.consumer().group("g");
        ConsumerMember m = g.member("a");
        g.put(m.reconciled(MemberState.UNKNOWN, m.memberEpoch(), m.assigned(), m.pendingRevocation()));
        assertThat(beat(beat("g", "a", a.memberEpoch(), a.assignment())).errorCode())
                .isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        ConsumerGroupHeartbeatResponseData again = beat(beat("g", "a", a.memberEpoch(),
                new ConsumerGroupHeartbeatResponseData.Assignment()));
        assertThat(again.errorCode()).isZero();
        assertThat(g.member("a").state()).isEqualTo(MemberState.STABLE);
        assertThat(again.assignment().topicPartitions()).singleElement()
                .satisfies(tp -> assertThat(tp.topicId()).isEqualTo(t.id()));
    }

    @Test
    void badInputGetsKafkasErrorCodes() {
        h.topics.create("t", 1);
        assertThat(beat(join("", "a", "t")).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat(join("g", "", "t")).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat(join("g", "a")).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat(join("g", "a", "t").setMemberEpoch(-3)).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat(join("g", "a", "t").setServerAssignor("sticky")).errorCode())
                .isEqualTo(Errors.UNSUPPORTED_ASSIGNOR.code());
        assertThat(beat(join("g", "a").setSubscribedTopicRegex("(")).errorCode())
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());
        ConsumerGroupHeartbeatResponseData a = beat(join("g", "a", "t"));
        assertThat(beat(beat("g", "a", a.memberEpoch() + 1, a.assignment())).errorCode())
                .isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(beat(beat("g", "zz", 1, a.assignment())).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        beat(join("g", "b", "t"));
        beat(join("g", "c", "t"));
        assertThat(beat(join("g", "d", "t")).errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code());
        assertThat(new ConsumerOffsetRules(h.shard.consumer()::group).validateCommit("g", "a", a.memberEpoch() - 1, (short) 9))
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);
    }
}
