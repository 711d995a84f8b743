package io.sluice.server.group.consumer;

import io.sluice.server.group.consumer.ConsumerGroupManager.Refused;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Members of a non-empty KIP-848 consumer group that speak the classic protocol (a group being
 * upgraded or downgraded, KIP-848): served as Kafka's GroupMetadataManager serves them. JoinGroup
 * updates the member from its subscription and reconciles it one step at once (the broker's
 * assignor computes the target; the member is never the leader), answering with its member epoch
 * as the generation; SyncGroup hands it its assigned partitions in ConsumerProtocol bytes;
 * Heartbeat answers REBALANCE_IN_PROGRESS while it must rejoin to move on (the group epoch passed
 * its epoch, it has partitions to revoke, or partitions it waits for are free); LeaveGroup removes
 * it. Owned by the coordinator thread; not thread-safe.
 */
public final class ClassicProtocolMembers {

    private static final Logger LOG = LoggerFactory.getLogger(ClassicProtocolMembers.class);

    private final ConsumerGroupManager manager;
    private final ConsumerGroupConfig config;
    private final ClusterTopics topics;
    private final ConsumerGroupStore store;
    private final MemberDeadlines deadlines;

    ClassicProtocolMembers(ConsumerGroupManager manager, ConsumerGroupConfig config, ClusterTopics topics,
                           ConsumerGroupStore store, MemberDeadlines deadlines) {
        this.manager = manager;
        this.config = config;
        this.topics = topics;
        this.store = store;
        this.deadlines = deadlines;
    }

    /** Whether classic requests for this group id come here: a consumer group with members. */
    public boolean serves(String groupId) {
        ConsumerGroup g = manager.group(groupId);
        return g != null && g.size() > 0;
    }

    /**
     * JoinGroup to a consumer group with members.
     *
     * @param requireKnownMemberId v4+: a new dynamic member first gets MEMBER_ID_REQUIRED and its id
     */
    public JoinGroupResponseData join(JoinGroupRequestData req, String clientId, String clientHost,
                                      boolean requireKnownMemberId) {
        ConsumerGroup group = manager.group(req.groupId());
        boolean unknown = req.memberId() == null || req.memberId().isEmpty();
        String memberId = unknown ? Uuid.randomUuid().toString() : req.memberId();
        try {
            if (group.size() >= config.maxSize() && (unknown || group.member(memberId) == null)) {
                throw new Refused(Errors.GROUP_MAX_SIZE_REACHED, "The consumer group has reached "
                        + "its maximum capacity of " + config.maxSize() + " members.");
            }
            LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
            req.protocols().forEach(p -> protocols.putIfAbsent(p.name(), p.metadata()));
            if (!supports(group, req.protocolType(), protocols.keySet())) {
                throw new Refused(Errors.INCONSISTENT_GROUP_PROTOCOL,
                        "Member " + memberId + "'s protocols are not supported.");
            }
            if (unknown && req.groupInstanceId() == null && requireKnownMemberId) {
                LOG.info("[GroupId {}] Dynamic member with unknown member id joins the consumer group. Created a new "
                        + "member id {} and requesting the member to rejoin with this id.", group.groupId(), memberId);
                return new JoinGroupResponseData().setMemberId(memberId).setErrorCode(Errors.MEMBER_ID_REQUIRED.code())
                        .setGenerationId(-1).setLeader("").setProtocolName(null);
            }
            ConsumerPartitionAssignor.Subscription sub = subscription(protocols, memberId);
            ConsumerGroupStore.Change change = store.begin(group);
            ConsumerMember existingStatic = group.staticMember(req.groupInstanceId());
            boolean replacesConsumerMember = existingStatic != null && !existingStatic.usesClassicProtocol();
            ConsumerMember member = member(group, memberId, req.groupInstanceId(), unknown);
            ConsumerMember updated = member.updated(req.groupInstanceId(), sub.rackId().orElse(null),
                    req.rebalanceTimeoutMs() > 0 ? req.rebalanceTimeoutMs() : req.sessionTimeoutMs(), null,
                    sub.topics(), null, clientId, clientHost)
                    .withClassic(ClassicMemberMetadata.of(req.sessionTimeoutMs(), protocols));
            ConsumerMember reconciled = manager.apply(group, change, member, updated,
                    ClassicAssignments.byId(sub.ownedPartitions(), topics));
            deadlines.cancelJoin(group.groupId(), reconciled.memberId());
            if (replacesConsumerMember) {
                Errors downgraded = manager.maybeDowngradeAfterReplacement(group);
                if (downgraded != Errors.NONE) {
                    throw new Refused(downgraded, "Writing the downgrade to the log failed.");
                }
            }
            return new JoinGroupResponseData().setMemberId(reconciled.memberId())
                    .setGenerationId(reconciled.memberEpoch()).setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
                    .setProtocolName(reconciled.classic().first().name()).setLeader("");
        } catch (Refused e) {
            return new JoinGroupResponseData().setMemberId(unknown ? "" : memberId).setErrorCode(e.error.code())
                    .setGenerationId(-1).setLeader("").setProtocolName(null);
        }
    }

    /** The member a JoinGroup is for: existing, new, or a static member's new incarnation (KIP-345). */
    private ConsumerMember member(ConsumerGroup group, String memberId, String instanceId, boolean unknown) {
        ConsumerMember existing = instanceId == null ? group.member(memberId) : group.staticMember(instanceId);
        if (existing == null) {
            LOG.info("[GroupId {}] Member {} joins the consumer group using the classic protocol.", group.groupId(),
                    memberId);
            return ConsumerMember.joining(memberId);
        }
        if (!existing.usesClassicProtocol() && (instanceId == null || !unknown)) {
            // Only a static member's new incarnation may take over a consumer-protocol member (Kafka's rule).
            throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Member " + existing.memberId()
                    + " does not use the classic protocol.");
        }
        if (existing.memberId().equals(memberId)) {
            return existing;
        }
        if (!unknown) {
            throw new Refused(Errors.FENCED_INSTANCE_ID, "Static member " + memberId
                    + " with instance id " + instanceId + " was fenced by member " + existing.memberId() + ".");
        }
        ConsumerMember replacement = existing.withMemberId(memberId).withEpochs(0, 0);
        group.replaceStatic(existing, replacement);
        deadlines.cancel(group.groupId(), existing.memberId());
        LOG.info("[GroupId {}] Static member with instance id {} re-joins as {} (was {}).", group.groupId(),
                instanceId, memberId, existing.memberId());
        return replacement;
    }

    /** SyncGroup: the member's assigned partitions, once it is at the group's epoch or revoking. */
    public SyncGroupResponseData sync(SyncGroupRequestData req) {
        ConsumerGroup group = manager.group(req.groupId());
        try {
            ConsumerMember m = classicMember(group, req.memberId(), req.groupInstanceId());
            checkGeneration(m, req.generationId());
            if ((req.protocolType() != null && !ConsumerProtocol.PROTOCOL_TYPE.equals(req.protocolType()))
                    || (req.protocolName() != null && !req.protocolName().equals(m.classic().first().name()))) {
                throw new Refused(Errors.INCONSISTENT_GROUP_PROTOCOL, "The protocol type or name "
                        + "of member " + m.memberId() + " does not match the group's.");
            }
            if (group.groupEpoch() > m.memberEpoch() && m.state() != MemberState.UNREVOKED_PARTITIONS) {
                deadlines.joinIfAbsent(group.groupId(), m);
                throw new Refused(Errors.REBALANCE_IN_PROGRESS, "A new rebalance is triggered in "
                        + "group " + group.groupId() + " and member " + m.memberId() + " should rejoin to catch up.");
            }
            deadlines.session(group.groupId(), m);
            return new SyncGroupResponseData().setProtocolType(ConsumerProtocol.PROTOCOL_TYPE)
                    .setProtocolName(m.classic().first().name())
                    .setAssignment(ClassicAssignments.toAssignment(m.assigned(), topics, m.classic().first().metadata()));
        } catch (Refused e) {
            return new SyncGroupResponseData().setErrorCode(e.error.code()).setAssignment(new byte[0]);
        }
    }

    /** Heartbeat: keeps the session; REBALANCE_IN_PROGRESS when the member must rejoin to move on. */
    public HeartbeatResponseData heartbeat(HeartbeatRequestData req) {
        ConsumerGroup group = manager.group(req.groupId());
        try {
            ConsumerMember m = classicMember(group, req.memberId(), req.groupInstanceId());
            checkGeneration(m, req.generationId());
            deadlines.session(group.groupId(), m);
            if (m.memberEpoch() < group.groupEpoch() || m.state() == MemberState.UNREVOKED_PARTITIONS
                    || (m.state() == MemberState.UNRELEASED_PARTITIONS && !waitsOnUnreleased(group, m))) {
                deadlines.joinIfAbsent(group.groupId(), m);
                return new HeartbeatResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code());
            }
            return new HeartbeatResponseData();
        } catch (Refused e) {
            return new HeartbeatResponseData().setErrorCode(e.error.code());
        }
    }

    /** LeaveGroup: each member named leaves (no downgrade here, as Kafka); the group epoch moves once. */
    public LeaveGroupResponseData leave(String groupId, List<MemberIdentity> leaving) {
        ConsumerGroup group = manager.group(groupId);
        List<LeaveGroupResponseData.MemberResponse> responses = new ArrayList<>();
        List<ConsumerMember> removed = new ArrayList<>();
        for (MemberIdentity id : leaving) {
            LeaveGroupResponseData.MemberResponse r = new LeaveGroupResponseData.MemberResponse()
                    .setMemberId(id.memberId()).setGroupInstanceId(id.groupInstanceId());
            try {
                boolean byInstanceOnly = id.groupInstanceId() != null
                        && (id.memberId() == null || id.memberId().isEmpty());
                ConsumerMember m = byInstanceOnly ? staticMember(group, id.groupInstanceId())
                        : classicMember(group, id.memberId(), id.groupInstanceId());
                if (!m.usesClassicProtocol()) {
                    throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Member " + m.memberId()
                            + " does not use the classic protocol.");
                }
                r.setMemberId(m.memberId());
                removed.add(m);
                LOG.info("[GroupId {}] Member {} has left the consumer group through an explicit LeaveGroup request; "
                        + "client reason: {}", groupId, m.memberId(), id.reason() == null ? "not provided" : id.reason());
            } catch (Refused e) {
                r.setErrorCode(e.error.code());
            }
            responses.add(r);
        }
        if (!removed.isEmpty()) {
            Errors e = manager.remove(group, removed);
            if (e != Errors.NONE) {
                return new LeaveGroupResponseData().setErrorCode(e.code());
            }
        }
        return new LeaveGroupResponseData().setMembers(responses);
    }

    private static ConsumerMember staticMember(ConsumerGroup group, String instanceId) {
        ConsumerMember m = group.staticMember(instanceId);
        if (m == null) {
            throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Instance id " + instanceId
                    + " is unknown.");
        }
        return m;
    }

    /** Kafka's validateConsumerGroupMember plus: the member must speak the classic protocol. */
    private static ConsumerMember classicMember(ConsumerGroup group, String memberId, String instanceId) {
        ConsumerMember m;
        if (instanceId == null) {
            m = group.member(memberId);
            if (m == null) {
                throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId
                        + " is not a member of group " + group.groupId() + ".");
            }
        } else {
            m = staticMember(group, instanceId);
            if (!m.memberId().equals(memberId)) {
                throw new Refused(Errors.FENCED_INSTANCE_ID, "Static member " + memberId
                        + " with instance id " + instanceId + " was fenced by member " + m.memberId() + ".");
            }
        }
        if (!m.usesClassicProtocol()) {
            throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Member " + m.memberId()
                    + " does not use the classic protocol.");
        }
        return m;
    }

    private static void checkGeneration(ConsumerMember m, int generationId) {
        if (m.memberEpoch() != generationId) {
            throw new Refused(Errors.ILLEGAL_GENERATION, "The request generation id "
                    + generationId + " is not equal to the member epoch " + m.memberEpoch() + " of member "
                    + m.memberId() + ".");
        }
    }

    /** Kafka's supportsClassicProtocols: type "consumer" and a protocol every classic member offers. */
    private static boolean supports(ConsumerGroup group, String protocolType, Set<String> names) {
        if (!ConsumerProtocol.PROTOCOL_TYPE.equals(protocolType) || names.isEmpty()) {
            return false;
        }
        int classic = 0;
        Map<String, Integer> offered = new LinkedHashMap<>();
        for (ConsumerMember m : group.members()) {
            if (m.usesClassicProtocol()) {
                classic++;
                m.classic().byName().keySet().forEach(n -> offered.merge(n, 1, Integer::sum));
            }
        }
        int all = classic;
        return classic == 0 || names.stream().anyMatch(n -> offered.getOrDefault(n, 0) == all);
    }

    /** Whether a partition of the member's target it does not have yet is still owned by another member. */
    private static boolean waitsOnUnreleased(ConsumerGroup group, ConsumerMember m) {
        for (Map.Entry<Uuid, Set<Integer>> e : group.targetOf(m.memberId()).entrySet()) {
            Set<Integer> have = m.assigned().getOrDefault(e.getKey(), Set.of());
            for (int p : e.getValue()) {
                if (!have.contains(p) && group.partitionEpoch(e.getKey(), p) != -1) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ConsumerPartitionAssignor.Subscription subscription(Map<String, byte[]> protocols, String memberId) {
        try {
            return ClassicAssignments.subscription(protocols.values().iterator().next());
        } catch (RuntimeException e) {
            throw new Refused(Errors.INCONSISTENT_GROUP_PROTOCOL, "Member " + memberId
                    + "'s embedded consumer protocol is malformed.");
        }
    }
}
