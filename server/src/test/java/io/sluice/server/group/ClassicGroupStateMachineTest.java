package io.sluice.server.group;

import static io.sluice.server.group.GroupHarness.assign;
import static io.sluice.server.group.GroupHarness.assignmentOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.classic.ClassicGroup;
import io.sluice.server.group.classic.GroupState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The classic rebalance protocol driven by hand with a stepped clock: no threads, no sleeps. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClassicGroupStateMachineTest {

    private final GroupHarness h = new GroupHarness();

    private ClassicGroup group(String id) {
        return h.shard.groups().get(id);
    }

    @Test
    void firstJoinWaitsForTheInitialRebalanceDelayThenFormsGenerationOne() {
        CompletableFuture<JoinGroupResponseData> a = h.joinNew("g");
        assertThat(a).isNotDone();
        assertThat(group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        h.step(2999);
        assertThat(a).isNotDone();
        h.step(1);
        JoinGroupResponseData r = a.getNow(null);
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(r.generationId()).isEqualTo(1);
        assertThat(r.leader()).isEqualTo(r.memberId());
        assertThat(r.protocolName()).isEqualTo("range");
        assertThat(r.members()).hasSize(1);
        assertThat(group("g").state()).isEqualTo(GroupState.COMPLETING_REBALANCE);

        SyncGroupResponseData s = h.sync("g", r, assign(r.memberId(), "p0")).getNow(null);
        assertThat(s.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(assignmentOf(s)).isEqualTo("p0");
        assertThat(group("g").state()).isEqualTo(GroupState.STABLE);
    }

    @Test
    void membersJoiningDuringTheDelayFormOneGenerationAndFollowersWaitForTheLeadersAssignment() {
        var a = h.joinNew("g");
        h.step(1000);
        var b = h.joinNew("g");
        h.step(1000);
        var c = h.joinNew("g");
        h.step(3000);
        assertThat(a).isNotDone(); // each new member extends the delay (bounded by the rebalance timeout)
        h.step(3000);
        JoinGroupResponseData ra = a.getNow(null), rb = b.getNow(null), rc = c.getNow(null);
        assertThat(ra.generationId()).isEqualTo(1).isEqualTo(rb.generationId()).isEqualTo(rc.generationId());
        JoinGroupResponseData leader = ra.leader().equals(ra.memberId()) ? ra : null;
        assertThat(leader).as("first member leads").isNotNull();
        assertThat(leader.members()).hasSize(3);
        assertThat(rb.members()).isEmpty();

        var sb = h.sync("g", rb);
        assertThat(sb).isNotDone();
        var sa = h.sync("g", ra, assign(ra.memberId(), "A"), assign(rb.memberId(), "B"), assign(rc.memberId(), "C"));
        assertThat(assignmentOf(sa.getNow(null))).isEqualTo("A");
        assertThat(assignmentOf(sb.getNow(null))).isEqualTo("B");
        assertThat(assignmentOf(h.sync("g", rc).getNow(null))).isEqualTo("C");
        assertThat(group("g").state()).isEqualTo(GroupState.STABLE);
    }

    private JoinGroupResponseData[] stableGroupOfTwo() {
        var a = h.joinNew("g");
        var b = h.joinNew("g");
        h.step(6000); // the second member extends the initial delay once (Kafka's InitialDelayedJoin)
        JoinGroupResponseData ra = a.getNow(null), rb = b.getNow(null);
        h.sync("g", ra, assign(ra.memberId(), "A"), assign(rb.memberId(), "B")).getNow(null);
        h.sync("g", rb).getNow(null);
        assertThat(group("g").state()).isEqualTo(GroupState.STABLE);
        return new JoinGroupResponseData[] {ra, rb};
    }

    @Test
    void aRebalanceCountsOnceItsGenerationIsStable() {
        assertThat(h.rebalances.classic()).isZero();
        JoinGroupResponseData[] ab = stableGroupOfTwo();
        assertThat(h.rebalances.classic()).isEqualTo(1);
        var c = h.joinNew("g");
        var a2f = h.join("g", ab[0].memberId(), null);
        var b2f = h.join("g", ab[1].memberId(), null);
        JoinGroupResponseData a2 = a2f.getNow(null), b2 = b2f.getNow(null), c2 = c.getNow(null);
        assertThat(h.rebalances.classic()).as("generation 2 joined, not yet synced").isEqualTo(1);
        h.sync("g", a2, assign(a2.memberId(), "A"), assign(b2.memberId(), "B"), assign(c2.memberId(), "C"));
        assertThat(group("g").state()).isEqualTo(GroupState.STABLE);
        assertThat(h.rebalances.classic()).isEqualTo(2);
        assertThat(h.rebalances.consumer()).isZero();
    }

    @Test
    void aNewMemberTriggersARebalanceThatExistingMembersLearnFromTheirHeartbeat() {
        JoinGroupResponseData[] ab = stableGroupOfTwo();
        var c = h.joinNew("g");
        assertThat(group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(h.heartbeat("g", ab[0].memberId(), 1).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
        var a2 = h.join("g", ab[0].memberId(), null);
        assertThat(c).isNotDone();
        var b2 = h.join("g", ab[1].memberId(), null);
        // everyone rejoined: completes at once, no waiting for the rebalance timeout
        assertThat(a2.getNow(null).generationId()).isEqualTo(2);
        assertThat(b2.getNow(null).generationId()).isEqualTo(2);
        assertThat(c.getNow(null).generationId()).isEqualTo(2);
        assertThat(a2.getNow(null).members()).hasSize(3);
    }

    @Test
    void aMemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout() {
        JoinGroupResponseData[] ab = stableGroupOfTwo();
        h.step(GroupHarness.SESSION_MS / 2);
        assertThat(h.heartbeat("g", ab[0].memberId(), 1).errorCode()).isEqualTo(Errors.NONE.code());
        h.step(GroupHarness.SESSION_MS / 2 - 1);
        assertThat(group("g").state()).isEqualTo(GroupState.STABLE);
        h.step(1);
        // b sent nothing for 1.5 sessions: gone, the group rebalances
        assertThat(group("g").has(ab[1].memberId())).isFalse();
        assertThat(group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(h.heartbeat("g", ab[1].memberId(), 1).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        var a2 = h.join("g", ab[0].memberId(), null).getNow(null);
        assertThat(a2.generationId()).isEqualTo(2);
        assertThat(a2.members()).extracting(m -> m.memberId()).containsExactly(ab[0].memberId());
    }

    @Test
    void leaveGroupRemovesTheMemberAtOnce() {
        JoinGroupResponseData[] ab = stableGroupOfTwo();
        var resp = h.leave("g", ab[1].memberId(), null);
        assertThat(resp.members().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(h.join("g", ab[0].memberId(), null).getNow(null).generationId()).isEqualTo(2);
        assertThat(h.leave("g", "nobody", null).members().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void lastMemberLeavingLeavesAnEmptyGroupWithANewGeneration() {
        var a = h.joinNew("g");
        h.step(3000);
        var ra = a.getNow(null);
        h.sync("g", ra, assign(ra.memberId(), "A")).getNow(null);
        h.leave("g", ra.memberId(), null);
        assertThat(group("g").state()).isEqualTo(GroupState.EMPTY);
        assertThat(group("g").generationId()).isEqualTo(2);
    }

    @Test
    void membersThatDoNotRejoinWithinTheRebalanceTimeoutAreDropped() {
        JoinGroupResponseData[] ab = stableGroupOfTwo();
        var c = h.joinNew("g");
        var a2 = h.join("g", ab[0].memberId(), null);
        // b keeps heartbeating (told REBALANCE_IN_PROGRESS) but never rejoins
        for (int i = 0; i < 6; i++) {
            h.step(GroupHarness.REBALANCE_MS / 6 - (i == 5 ? 1 : 0));
            h.heartbeat("g", ab[1].memberId(), 1);
        }
        assertThat(a2).isNotDone();
        h.step(1);
        assertThat(a2.getNow(null).generationId()).isEqualTo(2);
        assertThat(c.getNow(null).generationId()).isEqualTo(2);
        assertThat(group("g").has(ab[1].memberId())).isFalse();
    }

    @Test
    void wrongGenerationsAndUnknownMembersGetKafkasErrors() {
        JoinGroupResponseData[] ab = stableGroupOfTwo();
        assertThat(h.heartbeat("g", ab[0].memberId(), 7).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(h.heartbeat("g", "ghost", 1).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(h.heartbeat("nogroup", "ghost", 1).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        JoinGroupResponseData wrongGen = new JoinGroupResponseData().setMemberId(ab[1].memberId()).setGenerationId(0)
                .setProtocolName("range");
        assertThat(h.sync("g", wrongGen).getNow(null).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(h.join("g", "ghost", null).getNow(null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(h.join("nogroup", "ghost", null).getNow(null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        var badSession = GroupHarness.joinRequest("g", "", null, "range").setSessionTimeoutMs(10);
        assertThat(h.join(badSession).getNow(null).errorCode()).isEqualTo(Errors.INVALID_SESSION_TIMEOUT.code());
        var otherProtocol = GroupHarness.joinRequest("g", "", null, "roundrobin");
        assertThat(h.join(otherProtocol).getNow(null).errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        assertThat(group("g").state()).isEqualTo(GroupState.STABLE);
        assertThat(group("g").generationId()).isEqualTo(1);
    }

    @Test
    void syncDuringARebalanceIsToldToRejoin() {
        JoinGroupResponseData[] ab = stableGroupOfTwo();
        h.joinNew("g");
        assertThat(h.sync("g", ab[1]).getNow(null).errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
    }

    @Test
    void aMemberThatNeverSyncsIsRemovedAfterTheRebalanceTimeout() {
        var a = h.joinNew("g");
        var b = h.joinNew("g");
        h.step(6000); // the second member extends the initial delay once (Kafka's InitialDelayedJoin)
        var ra = a.getNow(null);
        b.getNow(null);
        h.sync("g", ra, assign(ra.memberId(), "A")).getNow(null);
        for (int i = 0; i < GroupHarness.REBALANCE_MS / 5000; i++) {
            h.step(5000);
            h.heartbeat("g", ra.memberId(), 1);
        }
        assertThat(group("g").size()).isEqualTo(1);
        assertThat(group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
    }

    @Test
    void groupMaxSizeRefusesTheExtraMember() {
        GroupHarness small = new GroupHarness(GroupConfig.defaults().withGroupMaxSize(1));
        small.joinNew("g");
        assertThat(small.join("g", "", null).getNow(null).errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code());
    }

    @Test
    void staticMemberRestartingWithinItsSessionKeepsTheGenerationWithoutARebalance() {
        var a = h.join("g", "", "instance-a");
        var b = h.join("g", "", "instance-b");
        h.step(6000);
        var ra = a.getNow(null);
        var rb = b.getNow(null);
        h.sync("g", ra, assign(ra.memberId(), "A"), assign(rb.memberId(), "B")).getNow(null);
        h.sync("g", rb).getNow(null);
        // b restarts: joins again with no member id, same instance id
        h.step(2000);
        var rb2 = h.join("g", "", "instance-b").getNow(null);
        assertThat(rb2.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(rb2.memberId()).isNotEqualTo(rb.memberId());
        assertThat(rb2.generationId()).isEqualTo(1);
        assertThat(group("g").state()).isEqualTo(GroupState.STABLE);
        assertThat(assignmentOf(h.sync("g", rb2).getNow(null))).isEqualTo("B");
        // the old incarnation is fenced
        assertThat(h.heartbeat("g", rb.memberId(), "instance-b", 1).errorCode())
                .isEqualTo(Errors.FENCED_INSTANCE_ID.code());
        assertThat(h.heartbeat("g", rb2.memberId(), "instance-b", 1).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(h.leave("g", rb.memberId(), "instance-b").members().get(0).errorCode())
                .isEqualTo(Errors.FENCED_INSTANCE_ID.code());
    }

    @Test
    void staticMembersLeaveInABatchByInstanceId() {
        var a = h.join("g", "", "instance-a");
        var b = h.join("g", "", "instance-b");
        h.step(6000);
        a.getNow(null);
        b.getNow(null);
        var resp = h.shard.membership().leave("g", List.of(
                new LeaveGroupRequestData.MemberIdentity().setMemberId("").setGroupInstanceId("instance-a"),
                new LeaveGroupRequestData.MemberIdentity().setMemberId("").setGroupInstanceId("instance-b"),
                new LeaveGroupRequestData.MemberIdentity().setMemberId("").setGroupInstanceId("instance-x")));
        assertThat(resp.members()).extracting(m -> m.errorCode())
                .containsExactly(Errors.NONE.code(), Errors.NONE.code(), Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(group("g").isEmptyOfMembers()).isTrue();
        assertThat(group("g").state()).isEqualTo(GroupState.EMPTY);
    }

    @Test
    void staticMemberThatDoesNotComeBackIsRemovedAfterItsSession() {
        var a = h.join("g", "", "instance-a");
        var b = h.join("g", "", "instance-b");
        h.step(6000);
        var ra = a.getNow(null);
        var rb = b.getNow(null);
        h.sync("g", ra, assign(ra.memberId(), "A"), assign(rb.memberId(), "B")).getNow(null);
        h.sync("g", rb).getNow(null);
        for (int i = 0; i < 3; i++) {
            h.step(GroupHarness.SESSION_MS / 2);
            h.heartbeat("g", ra.memberId(), 1);
        }
        assertThat(group("g").staticMemberId("instance-b")).isNull();
        assertThat(group("g").state()).isEqualTo(GroupState.PREPARING_REBALANCE);
    }

    @Test
    void aStaticMemberRejoiningDuringARebalanceKeepsASession() {
        var a = h.join("g", "", "instance-a");
        var b = h.join("g", "", "instance-b");
        h.step(6000);
        var ra = a.getNow(null);
        var rb = b.getNow(null);
        h.sync("g", ra, assign(ra.memberId(), "A"), assign(rb.memberId(), "B")).getNow(null);
        h.joinNew("g"); // a rebalance starts
        var rb2 = h.join("g", "", "instance-b"); // b restarts meanwhile and parks in the join
        String newId = group("g").staticMemberId("instance-b");
        assertThat(newId).isNotEqualTo(rb.memberId());
        assertThat(h.shard.timer().isScheduled("heartbeat/g/" + newId)).isTrue();
        assertThat(rb2).isNotDone();
    }

    @Test
    void aFailedJoinDoesNotForgetAStoredEmptyGroup() {
        var a = h.joinNew("g");
        h.step(3000);
        var ra = a.getNow(null);
        h.sync("g", ra, assign(ra.memberId(), "A")).getNow(null);
        h.leave("g", ra.memberId(), null);
        assertThat(group("g").generationId()).isEqualTo(2);
        assertThat(h.join("g", "ghost", null).getNow(null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(group("g")).isNotNull();
        assertThat(group("g").generationId()).isEqualTo(2);
    }
}
