package io.sluice.server.group.consumer;

/**
 * Reconciliation state of a KIP-848 member (Kafka's MemberState, same codes as stored in
 * ConsumerGroupCurrentMemberAssignmentValue.State). Immutable.
 */
public enum MemberState {
    /** The member owns its target assignment at the target epoch. */
    STABLE((byte) 0),
    /** The member must first give up partitions its target no longer holds (revoke before assign). */
    UNREVOKED_PARTITIONS((byte) 1),
    /** The member is at the target epoch but some target partitions are still owned by others. */
    UNRELEASED_PARTITIONS((byte) 2),
    /** A state this coordinator does not know (a record written by a newer one): the member is fenced. */
    UNKNOWN((byte) 127);

    private final byte code;

    MemberState(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    public static MemberState fromCode(byte code) {
        for (MemberState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
