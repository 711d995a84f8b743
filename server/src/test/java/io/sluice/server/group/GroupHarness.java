package io.sluice.server.group;

import io.sluice.server.group.share.ShareGroupConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/** One coordinator shard over an in-memory log with a stepped clock: drives the group protocol by hand. */
final class GroupHarness {

    static final int SESSION_MS = 10_000;
    static final int REBALANCE_MS = 30_000;

    final ManualClock clock = new ManualClock();
    final MemoryGroupLog log = new MemoryGroupLog();
    final TestTopics topics = new TestTopics();
    final GroupConfig config;
    final GroupRebalances rebalances = new GroupRebalances();
    GroupShard shard;

    GroupHarness(GroupConfig config) {
        this.config = config;
        this.shard = new GroupShard(0, config, ShareGroupConfig.defaults(), log, clock, Runnable::run, topics, rebalances);
        shard.load();
    }

    GroupHarness() {
        this(GroupConfig.defaults());
    }

    /** Steps the clock in ticks of at most 100 ms, firing due timers at each tick, as time passes for real. */
    void step(long ms) {
        for (long left = ms; left > 0; left -= 100) {
            clock.advance(Math.min(100, left));
            shard.timer().poll();
        }
    }

    /** A new shard over the same log (coordinator failover / broker restart). */
    void reload() {
        shard.unload();
        shard = new GroupShard(0, config, ShareGroupConfig.defaults(), log, clock, Runnable::run, topics, rebalances);
        shard.load();
    }

    static byte[] subscription(String... topics) {
        return Utils.toArray(ConsumerProtocol.serializeSubscription(
                new ConsumerPartitionAssignor.Subscription(List.of(topics))));
    }

    static JoinGroupRequestData joinRequest(String group, String memberId, String instanceId, String... protocols) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection c = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            c.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(p).setMetadata(subscription("t")));
        }
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setSessionTimeoutMs(SESSION_MS).setRebalanceTimeoutMs(REBALANCE_MS).setProtocolType("consumer")
                .setProtocols(c);
    }

    CompletableFuture<JoinGroupResponseData> join(String group, String memberId, String instanceId) {
        return shard.classic().join(joinRequest(group, memberId, instanceId, "range"), "client", "/127.0.0.1",
                true, true);
    }

    CompletableFuture<JoinGroupResponseData> join(JoinGroupRequestData req) {
        return shard.classic().join(req, "client", "/127.0.0.1", true, true);
    }

    /** Dynamic member: MEMBER_ID_REQUIRED round trip, then the real join (parked until the rebalance completes). */
    CompletableFuture<JoinGroupResponseData> joinNew(String group) {
        JoinGroupResponseData first = join(group, "", null).getNow(null);
        if (first.errorCode() != Errors.MEMBER_ID_REQUIRED.code()) {
            throw new AssertionError("expected MEMBER_ID_REQUIRED, got " + first);
        }
        return join(group, first.memberId(), null);
    }

    CompletableFuture<SyncGroupResponseData> sync(String group, JoinGroupResponseData joined,
                                                  SyncGroupRequestData.SyncGroupRequestAssignment... assignments) {
        return shard.classic().sync(new SyncGroupRequestData().setGroupId(group).setMemberId(joined.memberId())
                .setGenerationId(joined.generationId()).setProtocolType("consumer").setProtocolName(joined.protocolName())
                .setAssignments(List.of(assignments)));
    }

    static SyncGroupRequestData.SyncGroupRequestAssignment assign(String memberId, String bytes) {
        return new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId)
                .setAssignment(bytes.getBytes());
    }

    HeartbeatResponseData heartbeat(String group, String memberId, int generation) {
        return shard.membership().heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationId(generation));
    }

    HeartbeatResponseData heartbeat(String group, String memberId, String instanceId, int generation) {
        return shard.membership().heartbeat(new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation));
    }

    LeaveGroupResponseData leave(String group, String memberId, String instanceId) {
        return shard.membership().leave(group, List.of(new LeaveGroupRequestData.MemberIdentity()
                .setMemberId(memberId).setGroupInstanceId(instanceId)));
    }

    static String assignmentOf(SyncGroupResponseData r) {
        return new String(r.assignment());
    }
}
