package io.sluice.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.classic.ClassicGroup;
import io.sluice.server.group.classic.GroupState;
import io.sluice.server.group.consumer.ClassicProtocolMembers;
import io.sluice.server.group.consumer.ConsumerGroup;
import io.sluice.server.group.consumer.ConsumerGroupConfig;
import io.sluice.server.group.consumer.ConsumerGroupRecords;
import io.sluice.server.group.consumer.ConsumerMember;
import io.sluice.server.group.consumer.MemberState;
import io.sluice.server.group.consumer.MigrationPolicy;
import io.sluice.server.group.log.ConsumerGroupRecordDescriptor;
import io.sluice.server.group.log.GroupRecords;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 online migration on one shard with a stepped clock: a live classic group upgraded by a
 * ConsumerGroupHeartbeat (its classic members kept, revoking before the new member is given
 * anything), the mixed group's classic members served by JoinGroup/SyncGroup/Heartbeat, the
 * downgrade when the last consumer-protocol member leaves, the records a reload reads back, and
 * Kafka's refusals.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupMigrationTest {

    static final int PARTITIONS = 4;

    private static GroupHarness harness(ConsumerGroupConfig consumer) {
        GroupHarness h = new GroupHarness(GroupConfig.defaults().withConsumer(consumer));
        h.topics.create("t", PARTITIONS);
        return h;
    }

    private static GroupHarness harness() {
        return harness(ConsumerGroupConfig.defaults());
    }

    /** Two classic members, stable, the leader giving partitions 0-1 to the first and 2-3 to the second. */
    private static List<String> stableClassicGroup(GroupHarness h) {
        CompletableFuture<JoinGroupResponseData> a = h.joinNew("g");
        CompletableFuture<JoinGroupResponseData> b = h.joinNew("g");
        for (int waitedMs = 0; !(a.isDone() && b.isDone()) && waitedMs < GroupHarness.SESSION_MS; waitedMs += 100) {
            h.step(100); // the initial rebalance delay lets both in
        }
        JoinGroupResponseData ja = a.getNow(null);
        JoinGroupResponseData jb = b.getNow(null);
        assertThat(ja.errorCode()).isZero();
        JoinGroupResponseData leader = ja.leader().equals(ja.memberId()) ? ja : jb;
        JoinGroupResponseData follower = leader == ja ? jb : ja;
        SyncGroupResponseData sl = h.sync("g", leader, assignment(leader.memberId(), 0, 1),
                assignment(follower.memberId(), 2, 3)).getNow(null);
        SyncGroupResponseData sf = h.sync("g", follower).getNow(null);
        assertThat(sl.errorCode()).isZero();
        assertThat(sf.errorCode()).isZero();
        assertThat(h.shard.groups().get("g").is(GroupState.STABLE)).isTrue();
        return List.of(leader.memberId(), follower.memberId());
    }

    private static SyncGroupRequestData.SyncGroupRequestAssignment assignment(String memberId, int... partitions) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p : partitions) {
            tps.add(new TopicPartition("t", p));
        }
        return new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId)
                .setAssignment(Utils.toArray(ConsumerProtocol.serializeAssignment(
                        new ConsumerPartitionAssignor.Assignment(tps))));
    }

    private static Set<Integer> partitionsOf(SyncGroupResponseData r) {
        Set<Integer> out = new HashSet<>();
        ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(r.assignment())).partitions()
                .forEach(tp -> out.add(tp.partition()));
        return out;
    }

    private static ConsumerGroupHeartbeatResponseData consumerJoin(GroupHarness h, String memberId) {
        return h.shard.consumer().heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId)
                .setMemberEpoch(0).setRebalanceTimeoutMs(GroupHarness.REBALANCE_MS).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of()), (short) 1, "client", "/127.0.0.1");
    }

    private static ConsumerGroupHeartbeatResponseData consumerHeartbeat(GroupHarness h, String memberId, int epoch,
                                                                        Set<Integer> owned) {
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> tps = List.of(
                new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(h.topics.byName("t").id())
                        .setPartitions(new ArrayList<>(owned)));
        return h.shard.consumer().heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId)
                .setMemberEpoch(epoch).setTopicPartitions(tps), (short) 1, "client", "/127.0.0.1");
    }

    private static Set<Integer> partitionsOf(ConsumerGroupHeartbeatResponseData r) {
        Set<Integer> out = new HashSet<>();
        r.assignment().topicPartitions().forEach(tp -> out.addAll(tp.partitions()));
        return out;
    }

    private static ClassicProtocolMembers classicMembers(GroupHarness h) {
        return h.shard.consumer().classicMembers();
    }

    /** A classic member's rejoin, eager: it owns nothing when it joins. */
    private static JoinGroupResponseData rejoin(GroupHarness h, String memberId) {
        return classicMembers(h).join(GroupHarness.joinRequest("g", memberId, null, "range"), "client", "/127.0.0.1",
                true);
    }

    private static SyncGroupResponseData sync(GroupHarness h, JoinGroupResponseData j) {
        return classicMembers(h).sync(new SyncGroupRequestData().setGroupId("g").setMemberId(j.memberId())
                .setGenerationId(j.generationId()).setProtocolType("consumer").setProtocolName(j.protocolName()));
    }

    private static short classicHeartbeat(GroupHarness h, String memberId, int generation) {
        return classicMembers(h).heartbeat(new HeartbeatRequestData().setGroupId("g").setMemberId(memberId)
                .setGenerationId(generation)).errorCode();
    }

    @Test
    void consumerHeartbeatUpgradesLiveClassicGroupAndRevokesBeforeAssigning() {
        GroupHarness h = harness();
        List<String> classic = stableClassicGroup(h);
        int generation = h.shard.groups().get("g").generationId();
        int before = h.log.records.size();

        ConsumerGroupHeartbeatResponseData joined = consumerJoin(h, "new");
        assertThat(joined.errorCode()).isZero();
        assertThat(partitionsOf(joined)).as("everything is still owned by the classic members").isEmpty();
        assertThat(h.shard.groups().get("g")).isNull();
        ConsumerGroup g = h.shard.consumer().group("g");
        assertThat(g.size()).isEqualTo(3);
        assertThat(g.groupEpoch()).isEqualTo(generation + 1);
        ConsumerMember leader = g.member(classic.get(0));
        assertThat(leader.usesClassicProtocol()).isTrue();
        assertThat(leader.memberEpoch()).isEqualTo(generation);
        assertThat(leader.assigned().get(h.topics.byName("t").id())).containsExactlyInAnyOrder(0, 1);

        // One batch: the classic group's tombstone, then the consumer group's records.
        List<GroupRecords.Record> batch = h.log.records.subList(before, h.log.records.size());
        assertThat(batch.get(0).value()).isNull();
        assertThat(GroupRecords.readKey(ByteBuffer.wrap(batch.get(0).key())).group()).isEqualTo("g");
        assertThat(batch.subList(1, batch.size())).allMatch(r -> ConsumerGroupRecords.keyType(r.key()) != -1);

        // The classic members are told to rejoin; the rejoin moves each to the new epoch and frees what it loses.
        assertThat(classicHeartbeat(h, classic.get(0), generation)).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
        Set<Integer> kept = new HashSet<>();
        for (String id : classic) {
            JoinGroupResponseData j = rejoin(h, id);
            assertThat(j.errorCode()).isZero();
            assertThat(j.generationId()).isEqualTo(generation + 1);
            assertThat(j.leader()).isNotEqualTo(id);
            SyncGroupResponseData s = sync(h, j);
            assertThat(s.errorCode()).isZero();
            kept.addAll(partitionsOf(s));
            assertThat(classicHeartbeat(h, id, j.generationId())).isZero();
        }
        ConsumerGroupHeartbeatResponseData next = consumerHeartbeat(h, "new", joined.memberEpoch(), Set.of());
        Set<Integer> gained = partitionsOf(next);
        assertThat(gained).isNotEmpty().doesNotContainAnyElementsOf(kept);
        assertThat(kept.size() + gained.size()).isEqualTo(PARTITIONS);

        // A reload reads a consumer group whose classic members are still classic.
        h.reload();
        assertThat(h.shard.groups().get("g")).isNull();
        ConsumerGroup reloaded = h.shard.consumer().group("g");
        assertThat(reloaded.size()).isEqualTo(3);
        assertThat(reloaded.member(classic.get(1)).usesClassicProtocol()).isTrue();
        assertThat(reloaded.member("new").usesClassicProtocol()).isFalse();
    }

    @Test
    void lastConsumerMemberLeavingDowngradesToClassicGroupThatRebalances() {
        GroupHarness h = harness();
        List<String> classic = stableClassicGroup(h);
        ConsumerGroupHeartbeatResponseData joined = consumerJoin(h, "new");
        int epoch = h.shard.consumer().group("g").groupEpoch();
        int before = h.log.records.size();

        h.shard.consumer().heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("new")
                .setMemberEpoch(ConsumerMember.LEAVE_EPOCH), (short) 1, "client", "/127.0.0.1");

        assertThat(h.shard.consumer().group("g")).isNull();
        ClassicGroup g = h.shard.groups().get("g");
        assertThat(g.is(GroupState.PREPARING_REBALANCE)).isTrue();
        assertThat(g.generationId()).isEqualTo(epoch);
        assertThat(g.protocolName()).isEqualTo("range");
        assertThat(g.members()).extracting(m -> m.memberId()).containsExactlyInAnyOrderElementsOf(classic);
        List<GroupRecords.Record> batch = h.log.records.subList(before, h.log.records.size());
        GroupRecords.Record last = batch.get(batch.size() - 1);
        assertThat(GroupRecords.readGroupValue(ByteBuffer.wrap(last.value())).generation()).isEqualTo(epoch);
        assertThat(batch.subList(0, batch.size() - 1)).allMatch(r -> r.value() == null
                && ConsumerGroupRecords.keyType(r.key()) != -1);
        assertThat(batch).anyMatch(r -> ConsumerGroupRecords.keyType(r.key()) == ConsumerGroupRecordDescriptor.GROUP_METADATA);

        // The classic members rejoin the classic rebalance and get a new generation.
        CompletableFuture<JoinGroupResponseData> a = h.join("g", classic.get(0), null);
        CompletableFuture<JoinGroupResponseData> b = h.join("g", classic.get(1), null);
        assertThat(a.getNow(null).errorCode()).isZero();
        assertThat(b.getNow(null).generationId()).isEqualTo(epoch + 1);

        h.reload();
        assertThat(h.shard.consumer().group("g")).isNull();
        assertThat(h.shard.groups().get("g").size()).isEqualTo(2);
        assertThat(joined.errorCode()).isZero();
    }

    @Test
    void classicMemberJoiningAConsumerGroupGetsTheBrokersAssignment() {
        GroupHarness h = harness();
        ConsumerGroupHeartbeatResponseData first = consumerJoin(h, "c1");
        assertThat(partitionsOf(first)).hasSize(PARTITIONS);
        JoinGroupResponseData required = rejoin(h, "");
        assertThat(required.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        JoinGroupResponseData j = rejoin(h, required.memberId());
        assertThat(j.errorCode()).isZero();
        assertThat(partitionsOf(sync(h, j))).as("nothing is free until c1 revokes").isEmpty();
        assertThat(classicHeartbeat(h, j.memberId(), j.generationId())).isZero();

        ConsumerGroupHeartbeatResponseData revoke = consumerHeartbeat(h, "c1", first.memberEpoch(), partitionsOf(first));
        Set<Integer> c1Keeps = partitionsOf(revoke);
        assertThat(c1Keeps).hasSize(PARTITIONS / 2);
        consumerHeartbeat(h, "c1", revoke.memberEpoch(), c1Keeps);
        // Its partitions are free now: the classic member is asked to rejoin and gets them.
        assertThat(classicHeartbeat(h, j.memberId(), j.generationId())).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
        JoinGroupResponseData again = rejoin(h, j.memberId());
        Set<Integer> mine = partitionsOf(sync(h, again));
        assertThat(mine).hasSize(PARTITIONS / 2).doesNotContainAnyElementsOf(c1Keeps);

        // A classic member commits with its generation, which is its member epoch.
        assertThat(commit(h, again.memberId(), again.generationId() + 1, mine.iterator().next()))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(commit(h, again.memberId(), again.generationId(), mine.iterator().next())).isZero();
    }

    /** OffsetCommit v8 (a classic client's) of one partition of t. */
    private static short commit(GroupHarness h, String memberId, int generation, int partition) {
        var req = new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId).setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName("t").setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition).setCommittedOffset(5)))));
        return h.shard.offsets().commit(req, (short) 8, (t, p) -> true).join().topics().get(0).partitions().get(0)
                .errorCode();
    }

    @Test
    void classicMembersOfAConsumerGroupGetKafkasErrors() {
        GroupHarness h = harness();
        consumerJoin(h, "c1");
        JoinGroupResponseData j = rejoin(h, "classic-1");
        assertThat(j.errorCode()).isZero();
        // wrong generation, a consumer-protocol member's id, an unknown member
        assertThat(classicHeartbeat(h, j.memberId(), j.generationId() + 5)).isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(classicHeartbeat(h, "c1", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(classicHeartbeat(h, "nobody", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        // another protocol type, or protocols the classic members do not all offer
        JoinGroupRequestData connect = GroupHarness.joinRequest("g", "x", null, "range").setProtocolType("connect");
        assertThat(classicMembers(h).join(connect, "client", "/h", true).errorCode())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        assertThat(classicMembers(h).join(GroupHarness.joinRequest("g", "y", null, "roundrobin"), "client", "/h", true)
                .errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        // LeaveGroup of a consumer-protocol member: UNKNOWN_MEMBER_ID for it, the classic member leaves
        var left = classicMembers(h).leave("g", List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("c1"),
                new LeaveGroupRequestData.MemberIdentity().setMemberId(j.memberId())));
        assertThat(left.members().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(left.members().get(1).errorCode()).isZero();
        assertThat(h.shard.consumer().group("g").size()).isEqualTo(1);
    }

    @Test
    void upgradeRefusedWhenPolicyForbidsItOrTheGroupIsNotAConsumerGroup() {
        GroupHarness disabled = harness(ConsumerGroupConfig.defaults().withMigrationPolicy(MigrationPolicy.DOWNGRADE));
        stableClassicGroup(disabled);
        assertThat(consumerJoin(disabled, "new").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(disabled.shard.groups().get("g").is(GroupState.STABLE)).isTrue();
        assertThat(disabled.shard.consumer().group("g")).isNull();

        GroupHarness connect = harness();
        JoinGroupRequestData req = GroupHarness.joinRequest("g", "", null, "range").setProtocolType("connect");
        String id = connect.join(req).getNow(null).memberId();
        CompletableFuture<JoinGroupResponseData> joined = connect.join(req.setMemberId(id));
        connect.step(GroupHarness.SESSION_MS / 2);
        assertThat(joined.getNow(null).errorCode()).isZero();
        assertThat(consumerJoin(connect, "new").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(connect.shard.groups().get("g")).isNotNull();
    }

    @Test
    void upgradeRefusedWhenTheGroupIsTooLargeForAConsumerGroup() {
        GroupHarness tooSmall = harness(ConsumerGroupConfig.defaults().withMaxSize(1));
        stableClassicGroup(tooSmall);
        assertThat(consumerJoin(tooSmall, "new").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

        // As large as the limit: the upgrade is valid but the joining member is one too many.
        GroupHarness full = harness(ConsumerGroupConfig.defaults().withMaxSize(2));
        stableClassicGroup(full);
        int records = full.log.records.size();
        assertThat(consumerJoin(full, "new").errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code());
        assertThat(full.shard.groups().get("g").is(GroupState.STABLE)).isTrue();
        assertThat(full.shard.consumer().group("g")).isNull();
        assertThat(full.log.records).hasSize(records);
    }

    @Test
    void classicMembersKeepTheirOwnSessionAndMustRejoinWithinTheirRebalanceTimeout() {
        GroupHarness h = harness();
        List<String> classic = stableClassicGroup(h);
        int generation = h.shard.groups().get("g").generationId();
        ConsumerGroupHeartbeatResponseData joined = consumerJoin(h, "new");
        String stubborn = classic.get(0);
        String silent = classic.get(1);
        // The stubborn member heartbeats but never rejoins; the silent one stops heartbeating.
        assertThat(classicHeartbeat(h, stubborn, generation)).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
        h.step(GroupHarness.SESSION_MS / 2);
        assertThat(classicHeartbeat(h, stubborn, generation)).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
        consumerHeartbeat(h, "new", joined.memberEpoch(), Set.of());
        h.step(GroupHarness.SESSION_MS / 2 + 100);
        assertThat(h.shard.consumer().group("g").member(silent)).as("its own 10 s session, not the group's 45 s")
                .isNull();
        for (int waitedMs = GroupHarness.SESSION_MS; waitedMs < GroupHarness.REBALANCE_MS; waitedMs += 4000) {
            assertThat(classicHeartbeat(h, stubborn, generation)).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
            consumerHeartbeat(h, "new", h.shard.consumer().group("g").member("new").memberEpoch(), Set.of());
            h.step(4000);
        }
        assertThat(classicHeartbeat(h, stubborn, generation)).as("fenced after its rebalance timeout")
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        ConsumerMember alone = h.shard.consumer().group("g").member("new");
        ConsumerGroupHeartbeatResponseData all = consumerHeartbeat(h, "new", alone.memberEpoch(), Set.of());
        assertThat(partitionsOf(all)).hasSize(PARTITIONS);
    }

    @Test
    void classicStaticMemberReplacingTheLastConsumerMemberDowngradesWithoutRebalance() {
        GroupHarness h = harness();
        stableClassicGroup(h);
        ConsumerGroupHeartbeatResponseData s1 = h.shard.consumer().heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId("g").setMemberId("s1").setInstanceId("i1").setMemberEpoch(0)
                .setRebalanceTimeoutMs(GroupHarness.REBALANCE_MS).setSubscribedTopicNames(List.of("t"))
                .setTopicPartitions(List.of()), (short) 1, "client", "/127.0.0.1");
        assertThat(s1.errorCode()).isZero();
        int epoch = h.shard.consumer().group("g").groupEpoch();

        JoinGroupResponseData j = classicMembers(h).join(GroupHarness.joinRequest("g", "", "i1", "range"), "client",
                "/127.0.0.1", true);

        assertThat(j.errorCode()).isZero();
        assertThat(h.shard.consumer().group("g")).isNull();
        ClassicGroup g = h.shard.groups().get("g");
        assertThat(g.is(GroupState.STABLE)).as("no rebalance: the new incarnation takes the old one's place").isTrue();
        assertThat(g.generationId()).isEqualTo(epoch);
        assertThat(g.size()).isEqualTo(3);
        assertThat(g.staticMemberId("i1")).isEqualTo(j.memberId()).isNotEqualTo("s1");
        h.reload();
        assertThat(h.shard.groups().get("g").size()).isEqualTo(3);
    }

    @Test
    void classicJoinOfAnEmptyConsumerGroupDeletesItFirst() {
        GroupHarness h = harness();
        consumerJoin(h, "c1");
        h.shard.consumer().heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("c1")
                .setMemberEpoch(ConsumerMember.LEAVE_EPOCH), (short) 1, "client", "/127.0.0.1");
        assertThat(classicMembers(h).serves("g")).as("empty: not served as a consumer group").isFalse();
        assertThat(h.shard.consumer().dropEmptyForClassicJoin("g")).isEqualTo(Errors.NONE);
        assertThat(h.shard.consumer().group("g")).isNull();
        assertThat(h.log.records.get(h.log.records.size() - 1).value()).isNull();
        assertThat(h.join("g", "", null).getNow(null).errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        h.reload();
        assertThat(h.shard.consumer().group("g")).isNull();
    }

    @Test
    void downgradeNotDoneWhenPolicyForbidsIt() {
        GroupHarness h = harness(ConsumerGroupConfig.defaults().withMigrationPolicy(MigrationPolicy.UPGRADE));
        List<String> classic = stableClassicGroup(h);
        consumerJoin(h, "new");
        h.shard.consumer().heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("new")
                .setMemberEpoch(ConsumerMember.LEAVE_EPOCH), (short) 1, "client", "/127.0.0.1");
        ConsumerGroup g = h.shard.consumer().group("g");
        assertThat(g.size()).isEqualTo(2);
        assertThat(g.members()).allMatch(ConsumerMember::usesClassicProtocol);
        assertThat(h.shard.groups().get("g")).isNull();
        assertThat(g.member(classic.get(0)).state()).isEqualTo(MemberState.STABLE);
    }
}
