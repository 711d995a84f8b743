package io.sluice.server.group.consumer;

import io.sluice.server.group.offsets.OffsetManager;
import java.util.function.Function;
import org.apache.kafka.common.protocol.Errors;

/**
 * Who may commit and fetch the offsets of a KIP-848 consumer group (Kafka's
 * ConsumerGroup.validateOffsetCommit and validateOffsetFetch): a member with its current epoch
 * (else STALE_MEMBER_EPOCH; unknown: UNKNOWN_MEMBER_ID), or anyone without an epoch (-1) while the
 * group has no members (admin tools, {@code assign()} consumers). Owned by the coordinator
 * thread; not thread-safe.
 */
public final class ConsumerOffsetRules implements OffsetManager.ConsumerGroupMembers {

    /** The oldest OffsetCommit a consumer-protocol member uses (Kafka: UNSUPPORTED_VERSION below). */
    static final short COMMIT_VERSION_MIN = 9;

    private final Function<String, ConsumerGroup> groups;

    public ConsumerOffsetRules(Function<String, ConsumerGroup> groups) {
        this.groups = groups;
    }

    @Override
    public boolean isConsumerGroup(String groupId) {
        return groupId != null && groups.apply(groupId) != null;
    }

    @Override
    public boolean hasMembers(String groupId) {
        ConsumerGroup g = groupId == null ? null : groups.apply(groupId);
        return g != null && g.size() > 0;
    }

    @Override
    public Errors validateCommit(String groupId, String memberId, int memberEpoch, short version) {
        ConsumerGroup g = groups.apply(groupId);
        if (memberEpoch < 0 && g.size() == 0) {
            return Errors.NONE;
        }
        ConsumerMember m = memberId == null ? null : g.member(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (m.usesClassicProtocol()) {
            // A classic-protocol member commits with its generation, which is its member epoch.
            return memberEpoch == m.memberEpoch() ? Errors.NONE : Errors.ILLEGAL_GENERATION;
        }
        if (version < COMMIT_VERSION_MIN) {
            return Errors.UNSUPPORTED_VERSION;
        }
        return memberEpoch == m.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    @Override
    public Errors validateFetch(String groupId, String memberId, int memberEpoch) {
        if (memberEpoch < 0 && memberId == null) {
            return Errors.NONE; // not from a member (admin, or a client that does not say)
        }
        ConsumerMember m = memberId == null ? null : groups.apply(groupId).member(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return memberEpoch == m.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }
}
