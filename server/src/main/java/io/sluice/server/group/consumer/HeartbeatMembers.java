package io.sluice.server.group.consumer;

import io.sluice.server.group.consumer.ConsumerGroupManager.Refused;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which member a ConsumerGroupHeartbeat is for, and whether its epoch is acceptable (Kafka's
 * getOrMaybeSubscribe{Dynamic,Static}ConsumerGroupMember and throwIfMemberEpochIsInvalid): a new
 * member, a known one at its epoch, or a static member coming back under a new member id (KIP-345)
 * within its session. Refusals are thrown as {@link Refused}. Owned by the
 * coordinator thread; not thread-safe.
 */
final class HeartbeatMembers {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatMembers.class);

    private final ConsumerGroupStore store;
    private final MemberDeadlines deadlines;

    HeartbeatMembers(ConsumerGroupStore store, MemberDeadlines deadlines) {
        this.store = store;
        this.deadlines = deadlines;
    }

    ConsumerMember dynamicMember(ConsumerGroup group, String memberId, int epoch,
                                         Map<Uuid, Set<Integer>> owned, boolean joining) {
        ConsumerMember m = group.member(memberId);
        if (m == null) {
            if (!joining) {
                throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not a member of group "
                        + group.groupId() + ".");
            }
            LOG.info("[GroupId {}] Member {} joins the consumer group using the consumer protocol.", group.groupId(),
                    memberId);
            return ConsumerMember.joining(memberId);
        }
        checkEpoch(m, epoch, owned);
        return m;
    }

    ConsumerMember staticMember(ConsumerGroup group, String memberId, String instanceId, int epoch,
                                        Map<Uuid, Set<Integer>> owned, boolean joining) {
        ConsumerMember existing = group.staticMember(instanceId);
        if (joining) {
            if (existing == null) {
                ConsumerMember m = group.member(memberId);
                return m != null ? m : ConsumerMember.joining(memberId);
            }
            if (existing.memberId().equals(memberId)) {
                checkEpoch(existing, epoch, owned);
                return existing;
            }
            // A classic-protocol incarnation is replaced at once (Kafka checks the release only between
            // consumer-protocol members).
            if (existing.memberEpoch() != ConsumerMember.LEAVE_STATIC_EPOCH && !existing.usesClassicProtocol()) {
                throw new Refused(Errors.UNRELEASED_INSTANCE_ID, "Static member " + memberId + " with instance id "
                        + instanceId + " cannot join the group because the instance id is owned by "
                        + existing.memberId() + " member.");
            }
            // The instance comes back within its session: it takes over its assignment as it was.
            ConsumerMember replacement = existing.withMemberId(memberId).withEpochs(0, 0);
            ConsumerGroupStore.Change change = store.begin(group);
            group.replaceStatic(existing, replacement);
            Errors written = store.commit(change);
            if (written != Errors.NONE) {
                throw new Refused(written, "Writing the group to the log failed.");
            }
            deadlines.cancel(group.groupId(), existing.memberId());
            LOG.info("[GroupId {}] Static member with instance id {} re-joins as {} (was {}).", group.groupId(),
                    instanceId, memberId, existing.memberId());
            return replacement;
        }
        if (existing == null) {
            throw new Refused(Errors.UNKNOWN_MEMBER_ID, "Instance id " + instanceId + " is unknown.");
        }
        if (!existing.memberId().equals(memberId)) {
            throw new Refused(Errors.FENCED_INSTANCE_ID, "Static member " + memberId + " with instance id "
                    + instanceId + " was fenced by member " + existing.memberId() + ".");
        }
        checkEpoch(existing, epoch, owned);
        return existing;
    }

    /**
     * Kafka's rule: the current epoch, or the previous one while the member owns no more than it is
     * given; 0 is a fenced member rejoining under its own id (KAFKA-19233).
     */
    private static void checkEpoch(ConsumerMember m, int received, Map<Uuid, Set<Integer>> owned) {
        if (received == 0) {
            return;
        }
        if (received > m.memberEpoch()) {
            throw new Refused(Errors.FENCED_MEMBER_EPOCH, "The consumer group member has a greater member epoch ("
                    + received + ") than the one known by the group coordinator (" + m.memberEpoch()
                    + "). The member must abandon all its partitions and rejoin.");
        }
        if (received < m.memberEpoch()
                && (received != m.previousMemberEpoch() || !TopicPartitions.isSubset(owned, m.assigned()))) {
            throw new Refused(Errors.FENCED_MEMBER_EPOCH, "The consumer group member has a smaller member epoch ("
                    + received + ") than the one known by the group coordinator (" + m.memberEpoch()
                    + "). The member must abandon all its partitions and rejoin.");
        }
    }
}
