package io.sluice.server.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.GroupConfig;
import io.sluice.server.group.GroupRebalances;
import io.sluice.server.group.GroupShard;
import io.sluice.server.group.MemoryGroupLog;
import io.sluice.server.group.TestTopics;
import io.sluice.server.group.runtime.CoordinatorTimer;
import io.sluice.server.group.runtime.GroupConfigLookup;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Share group membership on a stepped clock: epochs, assignment, sessions, errors. */
class ShareGroupsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final TestTopics topics = new TestTopics();
    private final MemoryGroupLog log = new MemoryGroupLog();
    private final Map<String, Map<String, String>> groupConfigs = new HashMap<>();
    private GroupShard shard = newShard();
    private CoordinatorTimer timer = shard.timer();
    private ShareGroups groups = shard.shareGroups();

    private GroupShard newShard() {
        return new GroupShard(0, GroupConfig.defaults(), ShareGroupConfig.defaults(), log, clock::get, Runnable::run,
                topics, g -> groupConfigs.getOrDefault(g, Map.of()), new GroupRebalances());
    }

    private ShareGroupHeartbeatResponseData beat(String member, int epoch, List<String> subscription) {
        return groups.heartbeat(new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId(member)
                .setMemberEpoch(epoch).setSubscribedTopicNames(subscription), "client", "/127.0.0.1", false);
    }

    private static Set<Integer> partitions(ShareGroupHeartbeatResponseData r) {
        Set<Integer> out = new HashSet<>();
        r.assignment().topicPartitions().forEach(tp -> out.addAll(tp.partitions()));
        return out;
    }

    @Test
    void threeMembersOnOnePartitionAllGetIt() {
        topics.create("t", 1);
        ShareGroupHeartbeatResponseData a = beat("a", 0, List.of("t"));
        ShareGroupHeartbeatResponseData b = beat("b", 0, List.of("t"));
        ShareGroupHeartbeatResponseData c = beat("c", 0, List.of("t"));
        assertThat(partitions(a)).containsExactly(0);
        assertThat(partitions(b)).containsExactly(0);
        assertThat(partitions(c)).containsExactly(0);
        assertThat(c.heartbeatIntervalMs()).isEqualTo(5000);
        // a's epoch is older than the group's: its next heartbeat carries the current assignment and epoch.
        ShareGroupHeartbeatResponseData a2 = beat("a", a.memberEpoch(), null);
        assertThat(a2.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(a2.memberEpoch()).isGreaterThan(a.memberEpoch()).isEqualTo(c.memberEpoch());
    }

    @Test
    void fewerMembersThanPartitionsSplitThem() {
        topics.create("t", 4);
        ShareGroupHeartbeatResponseData a = beat("a", 0, List.of("t"));
        assertThat(partitions(a)).containsExactlyInAnyOrder(0, 1, 2, 3);
        ShareGroupHeartbeatResponseData b = beat("b", 0, List.of("t"));
        ShareGroupHeartbeatResponseData a2 = beat("a", a.memberEpoch(), null);
        assertThat(partitions(a2)).containsExactlyInAnyOrder(0, 2);
        assertThat(partitions(b)).containsExactlyInAnyOrder(1, 3);
    }

    @Test
    void sessionExpiryRemovesTheMemberAndLeaveEndsIt() {
        topics.create("t", 1);
        ShareGroupHeartbeatResponseData a = beat("a", 0, List.of("t"));
        beat("b", 0, List.of("t"));
        clock.addAndGet(44_999);
        beat("b", groups.describe("g").members().get(1).memberEpoch(), null);
        clock.addAndGet(2);
        timer.poll();
        assertThat(groups.describe("g").members()).extracting(m -> m.memberId()).containsExactly("b");
        assertThat(beat("a", a.memberEpoch(), null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        int epoch = groups.describe("g").members().get(0).memberEpoch();
        assertThat(beat("b", -1, null).memberEpoch()).isEqualTo(-1);
        assertThat(groups.describe("g").groupState()).isEqualTo("Empty");
        assertThat(groups.describe("g").groupEpoch()).isGreaterThan(epoch);
    }

    @Test
    void aGroupsOwnSessionTimeoutAndHeartbeatIntervalOverrideTheBrokers() {
        topics.create("t", 1);
        groupConfigs.put("g", Map.of("share.session.timeout.ms", "10000", "share.heartbeat.interval.ms", "2000"));
        ShareGroupHeartbeatResponseData a = beat("a", 0, List.of("t"));
        assertThat(a.heartbeatIntervalMs()).isEqualTo(2000);
        clock.addAndGet(10_001);
        timer.poll();
        assertThat(groups.describe("g").members()).isEmpty();
        assertThat(beat("a", a.memberEpoch(), null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void badHeartbeatsGetKafkasErrors() {
        topics.create("t", 1);
        assertThat(beat("", 0, List.of("t")).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat("a", 0, null).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat("a", -2, List.of("t")).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(beat("a", 3, List.of("t")).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        int epoch = beat("a", 0, List.of("t")).memberEpoch();
        assertThat(beat("a", epoch + 1, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(groups.heartbeat(new ShareGroupHeartbeatRequestData().setGroupId("c").setMemberId("x")
                .setMemberEpoch(0).setSubscribedTopicNames(List.of("t")), "c", "/h", true).errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        ShareGroups small = new ShareGroups(new ShareGroupConfig(45_000, 5000, 1, 30_000, 5, 2000, 2000, 50,
                (short) 1, 1 << 20, 0), GroupConfigLookup.NONE, timer, new TestTopics(), records -> (short) 0);
        ShareGroupHeartbeatRequestData join = new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberEpoch(0)
                .setSubscribedTopicNames(List.of("t"));
        assertThat(small.heartbeat(join.duplicate().setMemberId("a"), "c", "/h", false).errorCode()).isZero();
        assertThat(small.heartbeat(join.duplicate().setMemberId("b"), "c", "/h", false).errorCode())
                .isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code());
    }

    @Test
    void membersKeepTheirEpochsAndAssignmentsAcrossACoordinatorReload() {
        topics.create("t", 2);
        beat("a", 0, List.of("t"));
        ShareGroupHeartbeatResponseData b = beat("b", 0, List.of("t"));
        int groupEpoch = groups.describe("g").groupEpoch();
        shard.unload();
        shard = newShard();
        shard.load();
        groups = shard.shareGroups();
        timer = shard.timer();
        assertThat(groups.describe("g").groupEpoch()).isEqualTo(groupEpoch);
        assertThat(groups.describe("g").members()).extracting(m -> m.memberId()).containsExactly("a", "b");
        ShareGroupHeartbeatResponseData again = beat("b", b.memberEpoch(), null);
        assertThat(again.errorCode()).isZero();
        // Sessions restart at the load: a member that does not come back is removed, with tombstones.
        clock.addAndGet(45_001);
        timer.poll();
        assertThat(groups.describe("g").members()).isEmpty();
        shard = newShard();
        shard.load();
        assertThat(shard.shareGroups().describe("g").members()).isEmpty();
        assertThat(shard.shareGroups().delete("g")).isEqualTo(Errors.NONE);
        shard = newShard();
        shard.load();
        assertThat(shard.shareGroups().describe("g")).isNull();
    }

    @Test
    void aFailedWriteIsAnsweredAndDropsTheGroupFromMemory() {
        topics.create("t", 1);
        log.failWith = Errors.NOT_LEADER_OR_FOLLOWER.code();
        assertThat(beat("a", 0, List.of("t")).errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(groups.describe("g")).isNull();
        log.failWith = Errors.NONE.code();
        assertThat(beat("a", 0, List.of("t")).errorCode()).isZero();
    }
}
