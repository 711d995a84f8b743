package io.sluice.server.group.classic;

import io.sluice.server.group.GroupConfig;
import io.sluice.server.group.runtime.CoordinatorTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness and rebalance timing of classic groups: Heartbeat, LeaveGroup, session expiry,
 * the rebalance (join) deadline with group.initial.rebalance.delay.ms, completing a join, and
 * the sync deadline that drops members which never sent SyncGroup. All delays are
 * {@link CoordinatorTimer} entries. Not thread-safe: owned by the coordinator thread.
 *
 * <p>It is past the house's ~400 lines because every one of these paths can end a generation, and
 * Kafka's rules for what then happens to the other members (rejoin, expire, answer the pending join
 * and sync calls) are kept in one place rather than spread over the handlers.
 */
public final class ClassicMembership {

    private static final Logger LOG = LoggerFactory.getLogger(ClassicMembership.class);

    private final GroupConfig config;
    private final ClassicGroups groups;
    private final CoordinatorTimer timer;
    private final LongSupplier clockMs;

    public ClassicMembership(GroupConfig config, ClassicGroups groups, CoordinatorTimer timer, LongSupplier clockMs) {
        this.config = config;
        this.groups = groups;
        this.timer = timer;
        this.clockMs = clockMs;
    }

    // ---- Heartbeat and LeaveGroup -------------------------------------------------------------

    public HeartbeatResponseData heartbeat(HeartbeatRequestData req) {
        ClassicGroup group = groups.get(req.groupId());
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return hb(Errors.INVALID_GROUP_ID);
        }
        if (group == null || group.is(GroupState.DEAD)) {
            return hb(Errors.UNKNOWN_MEMBER_ID);
        }
        Errors fenced = validateStaticMember(group, req.memberId(), req.groupInstanceId());
        if (fenced != Errors.NONE) {
            return hb(fenced);
        }
        ClassicMember member = group.member(req.memberId());
        if (member == null) {
            return hb(Errors.UNKNOWN_MEMBER_ID);
        }
        if (req.generationId() != group.generationId()) {
            return hb(Errors.ILLEGAL_GENERATION);
        }
        switch (group.state()) {
            case EMPTY:
                return hb(Errors.UNKNOWN_MEMBER_ID);
            case PREPARING_REBALANCE:
                heartbeatReceived(group, member);
                return hb(Errors.REBALANCE_IN_PROGRESS);
            case COMPLETING_REBALANCE:
            case STABLE:
                heartbeatReceived(group, member);
                return hb(Errors.NONE);
            default:
                throw new IllegalStateException("heartbeat in " + group);
        }
    }

    /** LeaveGroup v3+ (a batch of members by member id or instance id); v0-2 send one member. */
    public LeaveGroupResponseData leave(String groupId, List<MemberIdentity> leaving) {
        LeaveGroupResponseData resp = new LeaveGroupResponseData();
        ClassicGroup group = groups.get(groupId);
        if (groupId == null || groupId.isEmpty()) {
            return resp.setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        if (group == null || group.is(GroupState.DEAD)) {
            resp.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
            for (MemberIdentity m : leaving) {
                resp.members().add(new MemberResponse().setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId())
                        .setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            }
            return resp;
        }
        List<ClassicMember> removed = new ArrayList<>();
        boolean pendingRemoved = false;
        for (MemberIdentity m : leaving) {
            MemberResponse r = new MemberResponse().setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId());
            String memberId = m.memberId();
            if (m.groupInstanceId() != null) {
                String existing = group.staticMemberId(m.groupInstanceId());
                if (existing == null) {
                    r.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
                } else if (memberId != null && !memberId.isEmpty() && !memberId.equals(existing)) {
                    r.setErrorCode(Errors.FENCED_INSTANCE_ID.code());
                } else {
                    removed.add(group.member(existing));
                    r.setMemberId(existing).setErrorCode(Errors.NONE.code());
                }
            } else if (group.pendingJoinMembers.remove(memberId)) {
                cancelPendingMemberExpiry(group, memberId);
                pendingRemoved = true;
                r.setErrorCode(Errors.NONE.code());
            } else if (group.has(memberId)) {
                removed.add(group.member(memberId));
                r.setErrorCode(Errors.NONE.code());
            } else {
                r.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
            }
            resp.members().add(r);
        }
        for (ClassicMember m : removed) {
            if (group.has(m.memberId())) {
                LOG.info("Member {} leaves group {}", m.memberId(), groupId);
                removeMemberAndUpdateGroup(group, m, "member " + m.memberId() + " left");
            }
        }
        if (pendingRemoved && removed.isEmpty()) {
            tryCompleteJoin(group);
        }
        return resp.setErrorCode(Errors.NONE.code());
    }

    /** FENCED_INSTANCE_ID when the instance id belongs to another member id (KIP-345), else NONE. */
    Errors validateStaticMember(ClassicGroup group, String memberId, String groupInstanceId) {
        String existing = group.staticMemberId(groupInstanceId);
        return existing != null && !existing.equals(memberId) ? Errors.FENCED_INSTANCE_ID : Errors.NONE;
    }

    /**
     * May a classic-group member commit offsets now (Kafka's ClassicGroup.validateOffsetCommit)?
     * A valid member's commit counts as a heartbeat.
     *
     * @param generationId -1 for a commit from outside the group (admin or manual assignment)
     */
    public Errors validateOffsetCommit(ClassicGroup group, String memberId, String groupInstanceId, int generationId) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && group.is(GroupState.EMPTY)) {
            return Errors.NONE;
        }
        String id = memberId == null ? "" : memberId;
        if (generationId >= 0 || !id.isEmpty() || groupInstanceId != null) {
            if (groupInstanceId != null) {
                String existing = group.staticMemberId(groupInstanceId);
                if (existing == null) {
                    return Errors.UNKNOWN_MEMBER_ID;
                }
                if (!existing.equals(id)) {
                    return Errors.FENCED_INSTANCE_ID;
                }
            }
            ClassicMember member = group.member(id);
            if (member == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (generationId != group.generationId()) {
                return Errors.ILLEGAL_GENERATION;
            }
            heartbeatReceived(group, member);
        } else {
            // Generation -1 without member id on a group that has members: not a member's commit.
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            // The member has its new generation but not its assignment yet (Kafka answers the same).
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    // ---- Timers -------------------------------------------------------------------------------

    private static String heartbeatKey(ClassicGroup g, String memberId) {
        return "heartbeat/" + g.groupId() + "/" + memberId;
    }

    private static String joinKey(ClassicGroup g) {
        return "join/" + g.groupId();
    }

    private static String syncKey(ClassicGroup g) {
        return "sync/" + g.groupId();
    }

    private static String pendingKey(ClassicGroup g, String memberId) {
        return "pending/" + g.groupId() + "/" + memberId;
    }

    void heartbeatReceived(ClassicGroup group, ClassicMember member) {
        scheduleHeartbeat(group, member, member.sessionTimeoutMs());
    }

    /** Starts (or restarts) the session of every member, e.g. after loading the group from the log. */
    public void scheduleSessions(ClassicGroup group) {
        for (ClassicMember m : group.members()) {
            scheduleHeartbeat(group, m, m.sessionTimeoutMs());
        }
    }

    void scheduleHeartbeat(ClassicGroup group, ClassicMember member, long timeoutMs) {
        String groupId = group.groupId();
        String memberId = member.memberId();
        timer.schedule(heartbeatKey(group, memberId), timeoutMs, () -> onSessionExpired(groupId, memberId));
    }

    void cancelHeartbeat(ClassicGroup group, String memberId) {
        timer.cancel(heartbeatKey(group, memberId));
    }

    void schedulePendingMemberExpiry(ClassicGroup group, String memberId, int sessionTimeoutMs) {
        String groupId = group.groupId();
        timer.schedule(pendingKey(group, memberId), sessionTimeoutMs, () -> {
            ClassicGroup g = groups.get(groupId);
            if (g != null && g.pendingJoinMembers.remove(memberId)) {
                LOG.debug("Pending member {} of group {} never came back", memberId, groupId);
                tryCompleteJoin(g);
                groups.removeIfUnused(g);
            }
        });
    }

    void cancelPendingMemberExpiry(ClassicGroup group, String memberId) {
        timer.cancel(pendingKey(group, memberId));
    }

    private void onSessionExpired(String groupId, String memberId) {
        ClassicGroup group = groups.get(groupId);
        ClassicMember member = group == null ? null : group.member(memberId);
        if (member == null) {
            return;
        }
        // Kafka's shouldKeepAlive: a member parked on a join (unless new) or a sync is bounded by
        // the rebalance and sync deadlines instead.
        if ((member.isAwaitingJoin() && !member.isNew) || member.isAwaitingSync()) {
            heartbeatReceived(group, member);
            return;
        }
        LOG.info("Member {} of group {} failed its session of {} ms; removing it", memberId, groupId,
                member.isNew ? config.newMemberJoinTimeoutMs() : member.sessionTimeoutMs());
        removeMemberAndUpdateGroup(group, member, "member " + memberId + " session expired");
    }

    void removeMemberAndUpdateGroup(ClassicGroup group, ClassicMember member, String reason) {
        if (member.awaitingJoin != null) {
            member.awaitingJoin.complete(ClassicGroupManager.error(member.memberId(), Errors.UNKNOWN_MEMBER_ID));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null) {
            member.awaitingSync.complete(ClassicGroupManager.syncError(Errors.UNKNOWN_MEMBER_ID));
            member.awaitingSync = null;
        }
        cancelHeartbeat(group, member.memberId());
        group.remove(member.memberId());
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> tryCompleteJoin(group);
            default -> { }
        }
    }

    // ---- Rebalance ----------------------------------------------------------------------------

    void maybePrepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            tryCompleteJoin(group);
        } else if (GroupState.PREPARING_REBALANCE.validPrevious().contains(group.state())) {
            prepareRebalance(group, reason);
        }
    }

    /** Starts a rebalance (also of a group just downgraded from a consumer group, as Kafka). */
    public void prepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            // The assignment being synced is void: parked followers retry (Kafka's resetAndPropagateAssignmentWithError).
            for (ClassicMember m : group.members()) {
                if (m.awaitingSync != null) {
                    m.awaitingSync.complete(ClassicGroupManager.syncError(Errors.REBALANCE_IN_PROGRESS));
                    m.awaitingSync = null;
                }
            }
            group.clearAssignments();
        }
        timer.cancel(syncKey(group));
        boolean wasEmpty = group.is(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE, clockMs.getAsLong());
        LOG.info("Preparing to rebalance group {} in state {} with old generation {} (reason: {})",
                group.groupId(), wasEmpty ? "Empty" : "non-empty", group.generationId(), reason);
        String groupId = group.groupId();
        if (wasEmpty && config.initialRebalanceDelayMs() > 0) {
            // group.initial.rebalance.delay.ms: let the first members of an empty group arrive together.
            group.initialDelayPending = true;
            group.newMemberAdded = false;
            group.initialDelayRemainingMs = Math.max(group.rebalanceTimeoutMs() - config.initialRebalanceDelayMs(), 0);
            timer.schedule(joinKey(group), config.initialRebalanceDelayMs(), () -> onInitialDelay(groupId));
        } else {
            group.initialDelayPending = false;
            timer.schedule(joinKey(group), group.rebalanceTimeoutMs(), () -> onJoinDeadline(groupId));
            tryCompleteJoin(group);
        }
    }

    private void onInitialDelay(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || !group.is(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        if (group.newMemberAdded && group.initialDelayRemainingMs > 0) {
            int delay = Math.min(config.initialRebalanceDelayMs(), group.initialDelayRemainingMs);
            group.initialDelayRemainingMs = Math.max(group.initialDelayRemainingMs - delay, 0);
            group.newMemberAdded = false;
            timer.schedule(joinKey(group), delay, () -> onInitialDelay(groupId));
            return;
        }
        group.initialDelayPending = false;
        completeJoin(group);
    }

    private void onJoinDeadline(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group != null && group.is(GroupState.PREPARING_REBALANCE)) {
            completeJoin(group);
        }
    }

    /** Completes the join at once when every member has rejoined (Kafka's DelayedJoin.tryComplete). */
    void tryCompleteJoin(ClassicGroup group) {
        if (group.is(GroupState.PREPARING_REBALANCE) && !group.initialDelayPending && group.hasAllMembersJoined()) {
            timer.cancel(joinKey(group));
            completeJoin(group);
        }
    }

    private void completeJoin(ClassicGroup group) {
        // Dynamic members that did not rejoin in time are out; static ones stay until their session ends.
        for (ClassicMember m : group.notYetRejoined()) {
            if (!m.isStatic()) {
                LOG.info("Member {} of group {} did not rejoin in time; removing it", m.memberId(), group.groupId());
                if (m.awaitingSync != null) {
                    m.awaitingSync.complete(ClassicGroupManager.syncError(Errors.UNKNOWN_MEMBER_ID));
                    m.awaitingSync = null;
                }
                cancelHeartbeat(group, m.memberId());
                group.remove(m.memberId());
            }
        }
        group.electLeaderIfNeeded();
        ClassicMember leader = group.leaderId() == null ? null : group.member(group.leaderId());
        String groupId = group.groupId();
        if (!group.isEmptyOfMembers() && (leader == null || !leader.isAwaitingJoin())) {
            // Only static members that did not rejoin are left: wait another round for them or their session.
            timer.schedule(joinKey(group), group.rebalanceTimeoutMs(), () -> onJoinDeadline(groupId));
            return;
        }
        group.initNextGeneration(clockMs.getAsLong());
        if (group.is(GroupState.EMPTY)) {
            LOG.info("Group {} with generation {} is now empty", groupId, group.generationId());
            short err = groups.storeGroup(group);
            if (err != Errors.NONE.code()) {
                LOG.warn("Storing empty group {} failed: {}", groupId, Errors.forCode(err));
            }
            return;
        }
        LOG.info("Group {} enters CompletingRebalance at generation {} with {} members, protocol {}",
                groupId, group.generationId(), group.size(), group.protocolName());
        for (ClassicMember m : group.members()) {
            if (m.awaitingJoin != null) {
                m.awaitingJoin.complete(ClassicGroupManager.joinResponse(group, m, group.isLeader(m.memberId())));
                m.awaitingJoin = null;
            }
            m.isNew = false;
            heartbeatReceived(group, m);
        }
        int generation = group.generationId();
        timer.schedule(syncKey(group), group.rebalanceTimeoutMs(), () -> onSyncDeadline(groupId, generation));
    }

    /** Members that never sent SyncGroup within the rebalance timeout are removed (Kafka's pending sync). */
    private void onSyncDeadline(String groupId, int generation) {
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.generationId() != generation || group.pendingSyncMembers.isEmpty()
                || !(group.is(GroupState.COMPLETING_REBALANCE) || group.is(GroupState.STABLE))) {
            return;
        }
        List<String> late = new ArrayList<>(group.pendingSyncMembers);
        LOG.info("Members {} of group {} did not sync in time; removing them", late, groupId);
        for (String id : late) {
            ClassicMember m = group.member(id);
            if (m != null) {
                if (m.awaitingSync != null) {
                    m.awaitingSync.complete(ClassicGroupManager.syncError(Errors.UNKNOWN_MEMBER_ID));
                    m.awaitingSync = null;
                }
                cancelHeartbeat(group, id);
                group.remove(id);
            }
        }
        if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE)) {
            prepareRebalance(group, "members failed to sync");
        }
    }

    /** Drops the group's timers (group deleted or shard unloaded). */
    public void cancelAll(ClassicGroup group) {
        timer.cancel(joinKey(group));
        timer.cancel(syncKey(group));
        for (ClassicMember m : group.members()) {
            cancelHeartbeat(group, m.memberId());
        }
        for (String p : group.pendingJoinMembers) {
            timer.cancel(pendingKey(group, p));
        }
    }

    private static HeartbeatResponseData hb(Errors e) {
        return new HeartbeatResponseData().setErrorCode(e.code());
    }
}
