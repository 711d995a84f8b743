package io.sluice.server.group.consumer;

/**
 * Reconciliation state of a KIP-848 member (Kafka's MemberState, same codes as stored in
 * ConsumerGroupCurrentMemberAssignmentValue.State). Immutable.
 */
public enum MemberState {
    /** The member owns its target assignment at the target epoch. */
    STABLE((byte) 0, "stable"),
    /** The member must first give up partitions its target no longer holds (revoke before assign). */
    UNREVOKED_PARTITIONS((byte) 1, "unrevoked_partitions"),
    /** The member is at the target epoch but some target partitions are still owned by others. */
    UNRELEASED_PARTITIONS((byte) 2, "unreleased_partitions"),
    /** A state this coordinator does not know (a record written by a newer one): the member is fenced. */
    UNKNOWN((byte) 127, "unknown");

    private final byte code;
    private final String kafkaName;

    MemberState(byte code, String kafkaName) {
        this.code = code;
        this.kafkaName = kafkaName;
    }

    public byte code() {
        return code;
    }

    public String kafkaName() {
        return kafkaName;
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
