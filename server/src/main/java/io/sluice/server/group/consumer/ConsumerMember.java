package io.sluice.server.group.consumer;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * One member of a KIP-848 consumer group as the coordinator knows it: who it is, what it
 * subscribes to, and where its reconciliation stands (epoch, state, partitions it owns and
 * those it must still revoke). Immutable: each change makes a new one, so the group can compare
 * the old and new member (partition ownership, records to write). Thread-safe.
 *
 * @param subscribedTopicNames sorted topic names (empty when subscribed by regex only)
 * @param subscribedTopicRegex RE2/J regex, or null
 * @param serverAssignor       the assignor the member asked for, or null (the group's default)
 * @param assigned             partitions the member owns (given to it)
 * @param pendingRevocation    partitions it must revoke before it gets anything new
 * @param classic              null for a member using ConsumerGroupHeartbeat; a member speaking the classic
 *                             protocol (JoinGroup/SyncGroup/Heartbeat) in a consumer group: its session and protocols
 */
public record ConsumerMember(String memberId, String instanceId, String rackId, String clientId, String clientHost,
                             int rebalanceTimeoutMs, String serverAssignor, List<String> subscribedTopicNames,
                             String subscribedTopicRegex, int memberEpoch, int previousMemberEpoch, MemberState state,
                             Map<Uuid, Set<Integer>> assigned, Map<Uuid, Set<Integer>> pendingRevocation,
                             ClassicMemberMetadata classic) {

    /** Epoch of a static member that left for a while (its assignment is kept for its session). */
    public static final int LEAVE_STATIC_EPOCH = -2;
    /** Epoch of a member leaving for good. */
    public static final int LEAVE_EPOCH = -1;

    public ConsumerMember {
        subscribedTopicNames = List.copyOf(subscribedTopicNames);
        assigned = TopicPartitions.copyOf(assigned);
        pendingRevocation = TopicPartitions.copyOf(pendingRevocation);
    }

    /** A member joining with nothing yet. */
    public static ConsumerMember joining(String memberId) {
        return new ConsumerMember(memberId, null, null, "", "", -1, null, List.of(), null, 0, 0, MemberState.STABLE,
                TopicPartitions.NONE, TopicPartitions.NONE, null);
    }

    public ConsumerMember withEpochs(int epoch, int previous) {
        return new ConsumerMember(memberId, instanceId, rackId, clientId, clientHost, rebalanceTimeoutMs, serverAssignor,
                subscribedTopicNames, subscribedTopicRegex, epoch, previous, state, assigned, pendingRevocation, classic);
    }

    /** The next reconciliation step; the previous epoch becomes the current one when the epoch moves. */
    public ConsumerMember reconciled(MemberState s, int epoch, Map<Uuid, Set<Integer>> newAssigned,
                                     Map<Uuid, Set<Integer>> revoking) {
        int previous = epoch == memberEpoch ? previousMemberEpoch : memberEpoch;
        return new ConsumerMember(memberId, instanceId, rackId, clientId, clientHost, rebalanceTimeoutMs, serverAssignor,
                subscribedTopicNames, subscribedTopicRegex, epoch, previous, s, newAssigned, revoking, classic);
    }

    public ConsumerMember withMemberId(String id) {
        return new ConsumerMember(id, instanceId, rackId, clientId, clientHost, rebalanceTimeoutMs, serverAssignor,
                subscribedTopicNames, subscribedTopicRegex, memberEpoch, previousMemberEpoch, state, assigned,
                pendingRevocation, classic);
    }

    /** The fields a heartbeat may change; null (or -1 for the timeout) keeps the current value. */
    public ConsumerMember updated(String instance, String rack, int rebalanceTimeout, String assignor,
                                  List<String> topics, String regex, String client, String host) {
        return new ConsumerMember(memberId, instance != null ? instance : instanceId, rack != null ? rack : rackId,
                client, host, rebalanceTimeout != -1 ? rebalanceTimeout : rebalanceTimeoutMs,
                assignor != null ? assignor : serverAssignor,
                topics != null ? topics.stream().sorted().distinct().toList() : subscribedTopicNames,
                regex != null ? (regex.isEmpty() ? null : regex) : subscribedTopicRegex,
                memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation, classic);
    }

    /** The member as a classic-protocol member with these settings (null: a consumer-protocol member). */
    public ConsumerMember withClassic(ClassicMemberMetadata c) {
        return new ConsumerMember(memberId, instanceId, rackId, clientId, clientHost, rebalanceTimeoutMs, serverAssignor,
                subscribedTopicNames, subscribedTopicRegex, memberEpoch, previousMemberEpoch, state, assigned,
                pendingRevocation, c);
    }

    public boolean usesClassicProtocol() {
        return classic != null;
    }

    public boolean sameSubscription(ConsumerMember o) {
        return subscribedTopicNames.equals(o.subscribedTopicNames)
                && Objects.equals(subscribedTopicRegex, o.subscribedTopicRegex)
                && Objects.equals(serverAssignor, o.serverAssignor);
    }
}
