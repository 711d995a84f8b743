package io.sluice.server.group;

import io.sluice.server.group.log.GroupLog;
import io.sluice.server.group.share.ShareGroupConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/**
 * One coordinator shard over a log (in memory unless given) with a stepped clock: drives the group
 * protocol by hand.
 */
final class GroupHarness {

    static final int SESSION_MS = 10_000;
    static final int REBALANCE_MS = 30_000;

    final ManualClock clock;
    final MemoryGroupLog log = new MemoryGroupLog();
    final TestTopics topics = new TestTopics();
    final GroupConfig config;
    /** Per-group configs, as kafka-configs --entity-type groups would set them. */
    final Map<String, Map<String, String>> groupConfigs = new HashMap<>();
    /** The log the shards read and write: {@link #log}, or the one given. */
    final GroupLog shardLog;
    final GroupRebalances rebalances = new GroupRebalances();
    GroupShard shard;

    GroupHarness(GroupConfig config) {
        this(config, new ManualClock(), null);
    }

    /** Over {@code shardLog} instead of the in-memory {@link #log} (null: that one), on {@code clock}. */
    GroupHarness(GroupConfig config, ManualClock clock, GroupLog shardLog) {
        this.config = config;
        this.clock = clock;
        this.shardLog = shardLog != null ? shardLog : log;
        this.shard = newShard();
        shard.load();
    }

    private GroupShard newShard() {
        return new GroupShard(0, config, ShareGroupConfig.defaults(), shardLog, clock, Runnable::run, topics,
                g -> groupConfigs.getOrDefault(g, Map.of()), rebalances);
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
        shard = newShard();
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

    /** An OffsetCommit of topic "t": {@code partitionOffsetMetadata} is (partition, offset, metadata) triples. */
    static OffsetCommitRequestData commitRequest(String group, int generation, String memberId, String instanceId,
                                                  Object... partitionOffsetMetadata) {
        OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t");
        for (int i = 0; i < partitionOffsetMetadata.length; i += 3) {
            t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                    .setPartitionIndex((Integer) partitionOffsetMetadata[i])
                    .setCommittedOffset((Long) partitionOffsetMetadata[i + 1])
                    .setCommittedLeaderEpoch(3)
                    .setCommittedMetadata((String) partitionOffsetMetadata[i + 2]));
        }
        return new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId).setGroupInstanceId(instanceId).setTopics(List.of(t));
    }
}
