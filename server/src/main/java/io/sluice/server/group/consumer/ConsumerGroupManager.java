package io.sluice.server.group.consumer;

import io.sluice.server.group.GroupRebalances;
import io.sluice.server.group.classic.ClassicGroup;
import io.sluice.server.group.classic.ClassicGroups;
import io.sluice.server.group.classic.ClassicMembership;
import io.sluice.server.group.classic.GroupState;
import io.sluice.server.group.runtime.CoordinatorTimer;
import io.sluice.server.group.runtime.GroupConfigLookup;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KIP-848 consumer groups of one coordinator shard: ConsumerGroupHeartbeat (join, reconcile,
 * leave), the session and rebalance deadlines, and the target assignment. As in Kafka's
 * GroupMetadataManager, a heartbeat (1) updates the member and bumps the group epoch when
 * membership, a subscription or the subscribed topics changed, (2) recomputes the target
 * assignment when the group epoch passed the assignment epoch, (3) moves the member one
 * reconciliation step towards its target. Changes are written to the log by
 * {@link ConsumerGroupStore} before the answer. Owned by the coordinator thread; not thread-safe.
 */
public final class ConsumerGroupManager {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupManager.class);
    private static final String CONSUMER_SESSION_TIMEOUT_MS = "consumer.session.timeout.ms";
    private static final String CONSUMER_HEARTBEAT_INTERVAL_MS = "consumer.heartbeat.interval.ms";
    /** What a member waiting for partitions others still own is told (see heartbeatIntervalMs). */
    public static final int UNRELEASED_PARTITIONS_HEARTBEAT_INTERVAL_MS = 250;

    private final ConsumerGroupConfig config;
    private final GroupConfigLookup groupConfigs;
    private final ClusterTopics topics;
    private final MemberDeadlines deadlines;
    private final ClassicGroups classicGroups;
    private final ConsumerGroupStore store;
    private final GroupMigration migration;
    private final ClassicProtocolMembers classicMembers;
    private final HeartbeatMembers heartbeatMembers;
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    private final GroupRebalances rebalances;

    /**
     * @param classicMaxSize group.max.size: a downgrade to a classic group larger than this is not done
     * @param rebalances     the broker's rebalance counts (a group epoch bump is one)
     */
    public ConsumerGroupManager(ConsumerGroupConfig config, GroupConfigLookup groupConfigs, ClusterTopics topics,
                                CoordinatorTimer timer, ClassicGroups classicGroups, ClassicMembership classicMembership,
                                int classicMaxSize, ConsumerGroupStore store, LongSupplier clockMs,
                                GroupRebalances rebalances) {
        this.config = config;
        this.groupConfigs = groupConfigs;
        this.rebalances = rebalances;
        this.topics = topics;
        this.deadlines = new MemberDeadlines(timer, this::sessionTimeoutMs, this::sessionExpired,
                this::revocationExpired);
        this.classicGroups = classicGroups;
        this.store = store;
        this.migration = new GroupMigration(config, classicMaxSize, topics, classicGroups, classicMembership, store,
                clockMs);
        this.classicMembers = new ClassicProtocolMembers(this, config, topics, store, deadlines);
        this.heartbeatMembers = new HeartbeatMembers(store, deadlines);
    }

    /** JoinGroup, SyncGroup, Heartbeat and LeaveGroup of the classic-protocol members of this shard's consumer groups. */
    public ClassicProtocolMembers classicMembers() {
        return classicMembers;
    }

    /** A refused request: Kafka's error and message, thrown inside this package only. */
    static final class Refused extends RuntimeException {
        final Errors error;

        Refused(Errors error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    public ConsumerGroup group(String groupId) {
        return groupId == null ? null : groups.get(groupId);
    }

    public boolean isConsumerGroup(String groupId) {
        return group(groupId) != null;
    }

    public Collection<ConsumerGroup> groups() {
        return groups.values();
    }

    public ConsumerGroupConfig config() {
        return config;
    }

    /** Whether a classic group of this id exists (a consumer group of the same id cannot). */
    public boolean isClassic(String groupId) {
        return classicGroups.get(groupId) != null;
    }

    public ClusterTopics topics() {
        return topics;
    }

    /** ConsumerGroupHeartbeat v0-1. */
    public ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData r, short version,
                                                        String clientId, String clientHost) {
        HeartbeatValidation.Refusal bad = HeartbeatValidation.check(r, version, config.assignors());
        if (bad != null) {
            return error(bad.error(), bad.message());
        }
        try {
            if (r.memberEpoch() < 0) {
                return leave(r);
            }
            return join(r, clientId, clientHost);
        } catch (Refused e) {
            return error(e.error, e.getMessage());
        }
    }

    private ConsumerGroupHeartbeatResponseData join(ConsumerGroupHeartbeatRequestData r, String clientId,
                                                    String clientHost) {
        String groupId = r.groupId();
        boolean joining = r.memberEpoch() == 0;
        ClassicGroup upgrading = joining && groups.get(groupId) == null ? liveClassic(groupId) : null;
        // An upgraded group is registered only once its records are stored (a refusal leaves the classic group as it was).
        ConsumerGroup group = upgrading != null ? migration.upgrade(upgrading) : groupFor(groupId, joining);
        String memberId = r.memberId().isEmpty() ? Uuid.randomUuid().toString() : r.memberId();
        if (group.size() >= config.maxSize() && group.member(memberId) == null
                && (r.instanceId() == null || group.staticMember(r.instanceId()) == null)) {
            throw new Refused(Errors.GROUP_MAX_SIZE_REACHED, "The consumer group has reached its maximum capacity of "
                    + config.maxSize() + " members.");
        }
        Map<Uuid, Set<Integer>> owned = TopicPartitions.fromRequest(r.topicPartitions());
        ConsumerMember member = r.instanceId() == null
                ? heartbeatMembers.dynamicMember(group, memberId, r.memberEpoch(), owned, joining)
                : heartbeatMembers.staticMember(group, memberId, r.instanceId(), r.memberEpoch(), owned, joining);
        ConsumerMember updated = member.updated(r.instanceId(), r.rackId(), r.rebalanceTimeoutMs(), r.serverAssignor(),
                r.subscribedTopicNames(), r.subscribedTopicRegex(), clientId, clientHost).withClassic(null);
        if (member.state() == MemberState.UNKNOWN && (owned == null || !owned.isEmpty())) {
            throw new Refused(Errors.FENCED_MEMBER_EPOCH, "The consumer group member is in a unknown state. "
                    + "The member must abandon all its partitions and rejoin.");
        }
        ConsumerGroupStore.Change change = upgrading != null
                ? store.beginConversion(group, GroupMigration.upgradePrefix(upgrading)) : store.begin(group);
        ConsumerMember reconciled = apply(group, change, member, updated, owned);
        if (upgrading != null) {
            groups.put(groupId, group);
            migration.upgraded(upgrading);
            group.members().forEach(m -> deadlines.session(groupId, m));
        }
        ConsumerGroupHeartbeatResponseData resp = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(reconciled.memberId()).setMemberEpoch(reconciled.memberEpoch())
                .setHeartbeatIntervalMs(heartbeatIntervalMs(groupId, reconciled));
        boolean fullRequest = joining || (r.rebalanceTimeoutMs() != -1 && owned != null
                && (r.subscribedTopicNames() != null || r.subscribedTopicRegex() != null));
        if (fullRequest || !reconciled.assigned().equals(member.assigned())) {
            resp.setAssignment(TopicPartitions.toResponse(reconciled.assigned()));
        }
        return resp;
    }

    /**
     * Steps (1)-(3) of a heartbeat or of a classic member's JoinGroup on a member already resolved,
     * then the write of {@code change}: the member as reconciled, with its deadlines started.
     */
    ConsumerMember apply(ConsumerGroup group, ConsumerGroupStore.Change change, ConsumerMember member,
                         ConsumerMember updated, Map<Uuid, Set<Integer>> owned) {
        String groupId = group.groupId();
        boolean bump = group.member(member.memberId()) == null || !updated.sameSubscription(member);
        group.put(updated);
        long topicsVersion = topics.version();
        if (bump || group.topicsVersion() != topicsVersion) {
            Map<String, ClusterTopics.Topic> subscribed = Subscriptions.resolve(group, topics);
            if (!subscribed.equals(group.subscribedTopics())) {
                bump = true;
            }
            group.subscribedTopics(subscribed, topicsVersion);
        }
        if (bump) {
            group.groupEpoch(group.groupEpoch() + 1);
            LOG.info("[GroupId {}] Bumped group epoch to {}.", groupId, group.groupEpoch());
            rebalances.consumerGroupEpochBumped();
        }
        if (group.groupEpoch() > group.assignmentEpoch()) {
            computeTarget(group);
        }
        ConsumerMember reconciled = Reconciliation.step(updated, group.assignmentEpoch(),
                group.targetOf(updated.memberId()), owned, group::partitionEpoch);
        group.put(reconciled);
        Errors written = store.commit(change);
        if (written != Errors.NONE) {
            forgetIfNeverWritten(group);
            throw new Refused(written, "Writing the group to the log failed.");
        }
        deadlines.revocation(groupId, updated, reconciled);
        deadlines.session(groupId, reconciled);
        return reconciled;
    }

    /** The classic group of this id when it has members (a ConsumerGroupHeartbeat upgrades it), else null. */
    private ClassicGroup liveClassic(String groupId) {
        ClassicGroup classic = classicGroups.get(groupId);
        return classic != null && (!classic.is(GroupState.EMPTY) || !classic.isEmptyOfMembers()) ? classic : null;
    }

    private ConsumerGroup groupFor(String groupId, boolean create) {
        ConsumerGroup group = groups.get(groupId);
        if (group != null) {
            return group;
        }
        if (!create) {
            throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Consumer group " + groupId + " not found.");
        }
        ClassicGroup classic = classicGroups.get(groupId);
        if (classic != null) {
            if (classic.protocolType() != null && store.dropClassic(groupId) != Errors.NONE) {
                throw new Refused(Errors.COORDINATOR_NOT_AVAILABLE, "Writing the group to the log failed.");
            }
            classicGroups.remove(classic); // an empty classic group becomes a consumer group; its offsets stay
        }
        group = new ConsumerGroup(groupId);
        groups.put(groupId, group);
        return group;
    }

    private ConsumerGroupHeartbeatResponseData leave(ConsumerGroupHeartbeatRequestData r) {
        ConsumerGroup group = groups.get(r.groupId());
        if (group == null) {
            throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Consumer group " + r.groupId() + " not found.");
        }
        ConsumerMember m;
        if (r.instanceId() == null) {
            m = group.member(r.memberId());
            if (m == null) {
                throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Member " + r.memberId() + " is not a member of group "
                        + r.groupId() + ".");
            }
        } else {
            m = group.staticMember(r.instanceId());
            if (m == null) {
                throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Instance id " + r.instanceId() + " is unknown.");
            }
            if (!m.memberId().equals(r.memberId())) {
                throw new Refused(Errors.FENCED_INSTANCE_ID, "Static member " + r.memberId() + " with instance id "
                        + r.instanceId() + " was fenced by member " + m.memberId() + ".");
            }
            if (r.memberEpoch() == ConsumerMember.LEAVE_STATIC_EPOCH) {
                // Leaves for a while: keeps its partitions (nobody else gets them) until its session ends.
                ConsumerGroupStore.Change change = store.begin(group);
                group.put(m.reconciled(m.state() == MemberState.UNREVOKED_PARTITIONS ? MemberState.STABLE : m.state(),
                        ConsumerMember.LEAVE_STATIC_EPOCH, m.assigned(), TopicPartitions.NONE));
                Errors written = store.commit(change);
                if (written != Errors.NONE) {
                    throw new Refused(written, "Writing the group to the log failed.");
                }
                deadlines.cancelRevocation(group.groupId(), m.memberId());
                LOG.info("[GroupId {}] Static member {} with instance id {} temporarily left the consumer group.",
                        r.groupId(), m.memberId(), r.instanceId());
                return new ConsumerGroupHeartbeatResponseData().setMemberId(m.memberId())
                        .setMemberEpoch(ConsumerMember.LEAVE_STATIC_EPOCH);
            }
        }
        LOG.info("[GroupId {}] Member {} left the consumer group.", r.groupId(), m.memberId());
        Errors written = fence(group, m);
        if (written != Errors.NONE) {
            throw new Refused(written, "Writing the group to the log failed.");
        }
        return new ConsumerGroupHeartbeatResponseData().setMemberId(r.memberId()).setMemberEpoch(r.memberEpoch());
    }

    /**
     * Removes a member: its partitions become free and the group epoch moves (the others rebalance).
     * When it was the last consumer-protocol member and classic members remain, the group becomes a
     * classic group instead (KIP-848 downgrade).
     */
    private Errors fence(ConsumerGroup group, ConsumerMember m) {
        if (migration.shouldDowngrade(group, m)) {
            Errors e = migration.downgrade(group, m);
            if (e == Errors.NONE) {
                forget(group.groupId());
            }
            return e;
        }
        return remove(group, List.of(m));
    }

    /** After a classic static member replaced the last consumer-protocol one: downgrade if allowed; NONE or the write's error. */
    Errors maybeDowngradeAfterReplacement(ConsumerGroup group) {
        if (!migration.shouldDowngradeAfterReplacement(group)) {
            return Errors.NONE;
        }
        Errors e = migration.downgradeAfterReplacement(group);
        if (e == Errors.NONE) {
            forget(group.groupId());
        }
        return e;
    }

    /** Removes members without a downgrade (a classic LeaveGroup, as Kafka): one epoch bump. */
    Errors remove(ConsumerGroup group, List<ConsumerMember> leaving) {
        ConsumerGroupStore.Change change = store.begin(group);
        leaving.forEach(m -> group.remove(m.memberId()));
        group.subscribedTopics(Subscriptions.resolve(group, topics), topics.version());
        group.groupEpoch(group.groupEpoch() + 1);
        Errors e = store.commit(change);
        if (e == Errors.NONE) {
            leaving.forEach(m -> deadlines.cancel(group.groupId(), m.memberId()));
        }
        return e;
    }

    /** A group created by a heartbeat whose first write failed is dropped again (nothing of it is stored). */
    private void forgetIfNeverWritten(ConsumerGroup group) {
        if (group.groupEpoch() == 0 && group.size() == 0) {
            groups.remove(group.groupId());
        }
    }

    void computeTarget(ConsumerGroup group) {
        PartitionAssignor assignor = PartitionAssignor.named(group.assignor(config.defaultAssignor()));
        Subscriptions.computeTarget(group, assignor);
        LOG.info("[GroupId {}] Computed target assignment of epoch {} with the {} assignor for {} members.",
                group.groupId(), group.groupEpoch(), assignor.name(), group.size());
    }

    /**
     * The group's heartbeat interval; shorter for a member waiting for partitions that others still
     * own. It learns of their release only from a heartbeat, so asking it sooner shortens a rebalance
     * by up to an interval, while the stable members keep heartbeating at the configured rate.
     */
    private int heartbeatIntervalMs(String groupId, ConsumerMember member) {
        int interval = groupConfigs.intOr(groupId, CONSUMER_HEARTBEAT_INTERVAL_MS, config.heartbeatIntervalMs());
        return member.state() == MemberState.UNRELEASED_PARTITIONS
                ? Math.min(interval, UNRELEASED_PARTITIONS_HEARTBEAT_INTERVAL_MS) : interval;
    }

    // ---- deadlines ------------------------------------------------------------------------------

    /** The group's consumer.session.timeout.ms, else group.consumer.session.timeout.ms. */
    private int sessionTimeoutMs(String groupId) {
        return groupConfigs.intOr(groupId, CONSUMER_SESSION_TIMEOUT_MS, config.sessionTimeoutMs());
    }

    private void sessionExpired(String groupId, String memberId) {
        ConsumerGroup g = groups.get(groupId);
        ConsumerMember m = g == null ? null : g.member(memberId);
        if (m != null) {
            LOG.info("[GroupId {}] Member {} failed its session of {} ms: fenced.", groupId, memberId,
                    sessionTimeoutMs(groupId));
            fenceOrLog(g, m);
        }
    }

    private void revocationExpired(String groupId, String memberId, int epoch) {
        ConsumerGroup g = groups.get(groupId);
        ConsumerMember m = g == null ? null : g.member(memberId);
        if (m != null && m.memberEpoch() == epoch && m.state() == MemberState.UNREVOKED_PARTITIONS) {
            LOG.info("[GroupId {}] Member {} did not revoke its partitions within its rebalance timeout of {} ms: "
                    + "fenced.", groupId, memberId, m.rebalanceTimeoutMs());
            fenceOrLog(g, m);
        }
    }

    private void fenceOrLog(ConsumerGroup g, ConsumerMember m) {
        Errors e = fence(g, m);
        if (e != Errors.NONE) {
            // The member stays (the log still has it); its removal is tried again a session later.
            LOG.warn("[GroupId {}] Writing the removal of member {} failed: {}; retried in {} ms", g.groupId(),
                    m.memberId(), e, sessionTimeoutMs(g.groupId()));
            deadlines.session(g.groupId(), m);
        }
    }

    /** After a load: subscriptions resolved against today's topics, and every member's session started. */
    public void afterLoad() {
        for (ConsumerGroup g : groups.values()) {
            g.subscribedTopics(Subscriptions.resolve(g, topics), topics.version());
        }
        for (ConsumerGroup g : groups.values()) {
            for (ConsumerMember m : g.members()) {
                deadlines.session(g.groupId(), m);
            }
        }
    }

    /**
     * A classic JoinGroup to an empty consumer group: the group is deleted (its tombstones written, its
     * offsets kept) so the join creates a classic group, as Kafka does; NONE or the write's error.
     */
    public Errors dropEmptyForClassicJoin(String groupId) {
        ConsumerGroup g = groups.get(groupId);
        if (g == null || g.size() > 0) {
            throw new IllegalStateException("group " + groupId + " is not an empty consumer group");
        }
        Errors e = store.write(ConsumerGroupStore.groupTombstones(groupId));
        if (e == Errors.NONE) {
            forget(groupId);
            LOG.info("[GroupId {}] Deleted the empty consumer group: a classic member joins.", groupId);
        }
        return e;
    }

    /** Whether a member of the group subscribes to the topic (by name or regex). */
    public boolean isSubscribed(String groupId, String topic) {
        ConsumerGroup g = groups.get(groupId);
        return g != null && g.size() > 0 && Subscriptions.resolve(g, topics).containsKey(topic);
    }

    /** The group as replayed from the log (created on first sight). */
    public ConsumerGroup loadGroup(String groupId) {
        return groups.computeIfAbsent(groupId, ConsumerGroup::new);
    }

    /** Forgets a group (its tombstone replayed, or DeleteGroups). */
    public void forget(String groupId) {
        ConsumerGroup g = groups.remove(groupId);
        if (g != null) {
            for (ConsumerMember m : List.copyOf(g.members())) {
                deadlines.cancel(groupId, m.memberId());
            }
        }
    }

    private static ConsumerGroupHeartbeatResponseData error(Errors e, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(e.code()).setErrorMessage(message);
    }
}
