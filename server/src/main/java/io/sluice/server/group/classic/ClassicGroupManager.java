package io.sluice.server.group.classic;

import io.sluice.server.group.GroupConfig;
import io.sluice.server.group.GroupRebalances;
import io.sluice.server.group.runtime.CoordinatorTimer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic rebalance protocol of one coordinator shard: JoinGroup and SyncGroup, run as Kafka
 * runs them (GroupMetadataManager, classic part; KIP-345 static membership, KIP-394 member id
 * required, KIP-814 skip assignment). Heartbeat, LeaveGroup and the timers live in
 * {@link ClassicMembership}; both share a {@link ClassicGroups}. Time comes from the shard's clock
 * and every delay is a {@link CoordinatorTimer} entry, so tests step it. Not thread-safe: owned by
 * the coordinator thread.
 */
public final class ClassicGroupManager {

    private static final Logger LOG = LoggerFactory.getLogger(ClassicGroupManager.class);

    private final GroupConfig config;
    private final ClassicGroups groups;
    private final ClassicMembership membership;
    private final LongSupplier clockMs;
    private final GroupRebalances rebalances;

    public ClassicGroupManager(GroupConfig config, ClassicGroups groups, ClassicMembership membership,
                               LongSupplier clockMs, GroupRebalances rebalances) {
        this.config = config;
        this.rebalances = rebalances;
        this.groups = groups;
        this.membership = membership;
        this.clockMs = clockMs;
    }

    /**
     * JoinGroup. The future completes when the rebalance completes (or at once for an error, a
     * MEMBER_ID_REQUIRED round trip or a rejoin that needs no rebalance).
     *
     * @param requireKnownMemberId v4+: a new dynamic member first gets MEMBER_ID_REQUIRED and its id
     * @param supportSkipAssignment v9+: a static leader rejoining a stable group is told to skip assigning
     */
    public CompletableFuture<JoinGroupResponseData> join(JoinGroupRequestData req, String clientId, String clientHost,
                                                         boolean requireKnownMemberId, boolean supportSkipAssignment) {
        String groupId = req.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return done(error(req.memberId(), Errors.INVALID_GROUP_ID));
        }
        if (req.sessionTimeoutMs() < config.minSessionTimeoutMs() || req.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return done(error(req.memberId(), Errors.INVALID_SESSION_TIMEOUT));
        }
        if (req.protocolType() == null || req.protocolType().isEmpty() || req.protocols().isEmpty()) {
            return done(error(req.memberId(), Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        boolean unknownMember = req.memberId() == null || req.memberId().isEmpty();
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            if (!unknownMember) {
                return done(error(req.memberId(), Errors.UNKNOWN_MEMBER_ID));
            }
            group = groups.create(groupId);
        }
        if (group.is(GroupState.DEAD)) {
            // The group was just deleted; the client looks the coordinator up again and retries.
            return done(error(req.memberId(), Errors.COORDINATOR_NOT_AVAILABLE));
        }
        LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : req.protocols()) {
            protocols.putIfAbsent(p.name(), p.metadata() == null ? ClassicMember.EMPTY : p.metadata());
        }
        CompletableFuture<JoinGroupResponseData> result;
        if (unknownMember) {
            result = joinUnknownMember(group, req, protocols, clientId, clientHost, requireKnownMemberId,
                    supportSkipAssignment);
        } else {
            result = joinKnownMember(group, req, protocols, clientId, clientHost);
        }
        if (group.isEmptyOfMembers() && group.is(GroupState.EMPTY) && group.pendingJoinMembers.isEmpty()) {
            groups.removeIfUnused(group);
        }
        return result;
    }

    private CompletableFuture<JoinGroupResponseData> joinUnknownMember(
            ClassicGroup group, JoinGroupRequestData req, LinkedHashMap<String, byte[]> protocols, String clientId,
            String clientHost, boolean requireKnownMemberId, boolean supportSkipAssignment) {
        if (!group.supportsProtocols(req.protocolType(), protocols.keySet())) {
            return done(error("", Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        String instanceId = req.groupInstanceId();
        String existing = group.staticMemberId(instanceId);
        if (existing != null) {
            String newId = newMemberId(instanceId);
            return rejoinStaticMember(group, existing, newId, req, protocols, clientId, clientHost, supportSkipAssignment);
        }
        if (group.size() + group.pendingJoinMembers.size() >= config.groupMaxSize()) {
            return done(error("", Errors.GROUP_MAX_SIZE_REACHED));
        }
        String newId = newMemberId(instanceId != null ? instanceId : clientId);
        if (instanceId == null && requireKnownMemberId) {
            // KIP-394: the member must come back with this id; until then it is pending, bounded by its session.
            group.pendingJoinMembers.add(newId);
            membership.schedulePendingMemberExpiry(group, newId, req.sessionTimeoutMs());
            return done(error(newId, Errors.MEMBER_ID_REQUIRED));
        }
        return addMemberAndRebalance(group, newId, req, protocols, clientId, clientHost);
    }

    private CompletableFuture<JoinGroupResponseData> joinKnownMember(
            ClassicGroup group, JoinGroupRequestData req, LinkedHashMap<String, byte[]> protocols, String clientId,
            String clientHost) {
        String memberId = req.memberId();
        if (group.pendingJoinMembers.remove(memberId)) {
            membership.cancelPendingMemberExpiry(group, memberId);
            if (!group.supportsProtocols(req.protocolType(), protocols.keySet())) {
                return done(error(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            }
            return addMemberAndRebalance(group, memberId, req, protocols, clientId, clientHost);
        }
        Errors fenced = membership.validateStaticMember(group, memberId, req.groupInstanceId());
        if (fenced != Errors.NONE) {
            return done(error(memberId, fenced));
        }
        ClassicMember member = group.member(memberId);
        if (member == null || group.is(GroupState.EMPTY)) {
            return done(error(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
        if (!group.supportsProtocols(req.protocolType(), protocols.keySet())) {
            return done(error(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        if (group.is(GroupState.PREPARING_REBALANCE) && !member.isAwaitingJoin()
                && numAwaitingJoin(group) >= config.groupMaxSize()) {
            return done(error(memberId, Errors.GROUP_MAX_SIZE_REACHED));
        }
        switch (group.state()) {
            case PREPARING_REBALANCE:
                return updateMemberAndRebalance(group, member, req, protocols, clientId, clientHost, "member rejoined");
            case COMPLETING_REBALANCE:
                if (member.matches(protocols)) {
                    // A retried join of the generation just formed: answer it again (Kafka does the same).
                    membership.heartbeatReceived(group, member);
                    return done(joinResponse(group, member, group.isLeader(memberId)));
                }
                return updateMemberAndRebalance(group, member, req, protocols, clientId, clientHost,
                        "member changed its protocols");
            case STABLE:
                if (group.isLeader(memberId) || !member.matches(protocols)) {
                    // The leader's rejoin or a changed subscription means the assignment must be redone.
                    return updateMemberAndRebalance(group, member, req, protocols, clientId, clientHost,
                            group.isLeader(memberId) ? "leader rejoined" : "member changed its protocols");
                }
                membership.heartbeatReceived(group, member);
                return done(joinResponse(group, member, false));
            default:
                throw new IllegalStateException("join of " + memberId + " in " + group);
        }
    }

    /** KIP-345: a static member came back with no member id; it takes over its old entry. */
    private CompletableFuture<JoinGroupResponseData> rejoinStaticMember(
            ClassicGroup group, String oldId, String newId, JoinGroupRequestData req,
            LinkedHashMap<String, byte[]> protocols, String clientId, String clientHost, boolean supportSkipAssignment) {
        ClassicMember member = group.member(oldId);
        // The old incarnation is fenced: whatever it waits for ends now with FENCED_INSTANCE_ID.
        if (member.awaitingJoin != null) {
            member.awaitingJoin.complete(error(oldId, Errors.FENCED_INSTANCE_ID));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null) {
            member.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
            member.awaitingSync = null;
        }
        membership.cancelHeartbeat(group, oldId);
        group.replaceStaticMember(req.groupInstanceId(), oldId, newId);
        LOG.info("Static member {} of group {} rejoined as {} (was {})", req.groupInstanceId(), group.groupId(), newId, oldId);
        boolean sameProtocols = member.matches(protocols);
        member.update(clientId, clientHost, rebalanceTimeout(req), req.sessionTimeoutMs(), protocols);
        // The new incarnation's session starts now (the old id's timer was cancelled above).
        membership.heartbeatReceived(group, member);
        if (group.is(GroupState.STABLE) && sameProtocols) {
            // Restarted within its session with the same subscription: no rebalance (the point of KIP-345).
            short err = groups.storeGroup(group);
            if (err != Errors.NONE.code()) {
                return done(error(newId, Errors.forCode(err)));
            }
            membership.heartbeatReceived(group, member);
            boolean leader = group.isLeader(newId);
            JoinGroupResponseData r = joinResponse(group, member, leader && supportSkipAssignment);
            r.setSkipAssignment(leader && supportSkipAssignment);
            return done(r);
        }
        if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE)
                || group.is(GroupState.PREPARING_REBALANCE) || group.is(GroupState.EMPTY)) {
            return updateMemberAndRebalance(group, member, req, protocols, clientId, clientHost, "static member rejoined");
        }
        throw new IllegalStateException("static rejoin in " + group);
    }

    private CompletableFuture<JoinGroupResponseData> addMemberAndRebalance(
            ClassicGroup group, String memberId, JoinGroupRequestData req, LinkedHashMap<String, byte[]> protocols,
            String clientId, String clientHost) {
        ClassicMember member = new ClassicMember(memberId, req.groupInstanceId(), clientId, clientHost,
                rebalanceTimeout(req), req.sessionTimeoutMs(), req.protocolType(), protocols);
        member.isNew = true;
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        member.awaitingJoin = f;
        group.add(member);
        if (group.is(GroupState.PREPARING_REBALANCE) && group.initialDelayPending) {
            group.newMemberAdded = true;
        }
        // A new member that never completes its join is dropped after the new-member timeout (Kafka's 5 min).
        membership.scheduleHeartbeat(group, member, config.newMemberJoinTimeoutMs());
        LOG.debug("Member {} joins group {} ({})", memberId, group.groupId(), group.state());
        membership.maybePrepareRebalance(group, "member " + memberId + " joined");
        return f;
    }

    private CompletableFuture<JoinGroupResponseData> updateMemberAndRebalance(
            ClassicGroup group, ClassicMember member, JoinGroupRequestData req, LinkedHashMap<String, byte[]> protocols,
            String clientId, String clientHost, String reason) {
        member.update(clientId, clientHost, rebalanceTimeout(req), req.sessionTimeoutMs(), protocols);
        if (member.awaitingJoin != null) {
            // A duplicate join from the same member: the earlier request is answered as superseded.
            member.awaitingJoin.complete(error(member.memberId(), Errors.UNKNOWN_MEMBER_ID));
        }
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        member.awaitingJoin = f;
        membership.maybePrepareRebalance(group, reason);
        return f;
    }

    /** SyncGroup: followers park until the leader's assignment arrives; the leader's completes the rebalance. */
    public CompletableFuture<SyncGroupResponseData> sync(SyncGroupRequestData req) {
        ClassicGroup group = groups.get(req.groupId());
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return done(syncError(Errors.INVALID_GROUP_ID));
        }
        if (group == null || group.is(GroupState.DEAD)) {
            return done(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
        Errors fenced = membership.validateStaticMember(group, req.memberId(), req.groupInstanceId());
        if (fenced != Errors.NONE) {
            return done(syncError(fenced));
        }
        ClassicMember member = group.member(req.memberId());
        if (member == null) {
            return done(syncError(Errors.UNKNOWN_MEMBER_ID));
        }
        if (req.generationId() != group.generationId()) {
            return done(syncError(Errors.ILLEGAL_GENERATION));
        }
        if ((req.protocolType() != null && !req.protocolType().equals(group.protocolType()))
                || (req.protocolName() != null && !req.protocolName().equals(group.protocolName()))) {
            return done(syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        switch (group.state()) {
            case EMPTY:
                return done(syncError(Errors.UNKNOWN_MEMBER_ID));
            case PREPARING_REBALANCE:
                return done(syncError(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE: {
                group.pendingSyncMembers.remove(member.memberId());
                membership.heartbeatReceived(group, member);
                CompletableFuture<SyncGroupResponseData> f = new CompletableFuture<>();
                if (member.awaitingSync != null) {
                    member.awaitingSync.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                }
                member.awaitingSync = f;
                if (group.isLeader(member.memberId())) {
                    completeSync(group, req.assignments());
                }
                return f;
            }
            case STABLE:
                group.pendingSyncMembers.remove(member.memberId());
                membership.heartbeatReceived(group, member);
                return done(syncResponse(group, member.assignment(), Errors.NONE));
            default:
                throw new IllegalStateException("sync in " + group);
        }
    }

    /** The leader's assignment: stored with the group, then every parked follower is answered. */
    private void completeSync(ClassicGroup group, List<SyncGroupRequestData.SyncGroupRequestAssignment> assignments) {
        for (ClassicMember m : group.members()) {
            m.assignment(ClassicMember.EMPTY);
        }
        for (SyncGroupRequestData.SyncGroupRequestAssignment a : assignments) {
            ClassicMember m = group.member(a.memberId());
            if (m != null) {
                m.assignment(a.assignment());
            }
        }
        short err = groups.storeGroup(group);
        if (err != Errors.NONE.code()) {
            Errors e = Errors.forCode(err);
            LOG.warn("Storing group {} after its assignment failed: {}", group.groupId(), e);
            // Kafka: followers see the storage error, the group rebalances again.
            for (ClassicMember m : group.members()) {
                if (m.awaitingSync != null) {
                    m.awaitingSync.complete(syncError(e));
                    m.awaitingSync = null;
                }
            }
            group.clearAssignments();
            membership.prepareRebalance(group, "storing the assignment failed");
            return;
        }
        group.transitionTo(GroupState.STABLE, clockMs.getAsLong());
        rebalances.classicCompleted();
        for (ClassicMember m : group.members()) {
            if (m.awaitingSync != null) {
                m.awaitingSync.complete(syncResponse(group, m.assignment(), Errors.NONE));
                m.awaitingSync = null;
            }
        }
        LOG.info("Group {} stable at generation {} with {} members", group.groupId(), group.generationId(), group.size());
    }

    /** Answers whatever the member is parked on with {@code error} (the shard is being unloaded). */
    public static void failParked(ClassicMember m, Errors error) {
        if (m.awaitingJoin != null) {
            m.awaitingJoin.complete(error(m.memberId(), error));
            m.awaitingJoin = null;
        }
        if (m.awaitingSync != null) {
            m.awaitingSync.complete(syncError(error));
            m.awaitingSync = null;
        }
    }

    private static int numAwaitingJoin(ClassicGroup group) {
        int n = 0;
        for (ClassicMember m : group.members()) {
            if (m.isAwaitingJoin()) {
                n++;
            }
        }
        return n;
    }

    private static int rebalanceTimeout(JoinGroupRequestData req) {
        return req.rebalanceTimeoutMs() > 0 ? req.rebalanceTimeoutMs() : req.sessionTimeoutMs();
    }

    private static String newMemberId(String prefix) {
        return (prefix == null ? "" : prefix) + "-" + UUID.randomUUID();
    }

    /** The response a member gets when its join completes; the leader also gets everyone's metadata. */
    static JoinGroupResponseData joinResponse(ClassicGroup group, ClassicMember member, boolean withMembers) {
        JoinGroupResponseData r = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(group.generationId())
                .setProtocolType(group.protocolType())
                .setProtocolName(group.protocolName())
                .setLeader(group.leaderId())
                .setMemberId(member.memberId());
        List<JoinGroupResponseData.JoinGroupResponseMember> members = new ArrayList<>();
        if (withMembers) {
            for (ClassicMember m : group.members()) {
                members.add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId()).setMetadata(m.metadata(group.protocolName())));
            }
        }
        r.setMembers(members);
        return r;
    }

    static JoinGroupResponseData error(String memberId, Errors e) {
        return new JoinGroupResponseData().setErrorCode(e.code()).setGenerationId(-1)
                .setProtocolName(null).setLeader("").setMemberId(memberId == null ? "" : memberId);
    }

    static SyncGroupResponseData syncError(Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(ClassicMember.EMPTY);
    }

    static SyncGroupResponseData syncResponse(ClassicGroup group, byte[] assignment, Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code()).setProtocolType(group.protocolType())
                .setProtocolName(group.protocolName()).setAssignment(assignment);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
