package io.sluice.metadata.command;

/**
 * Kafka's numeric error codes ({@code org.apache.kafka.common.protocol.Errors}) used by command
 * results, so the server can pass them to clients unchanged. Only the codes the quorum produces.
 */
public final class ErrorCodes {
    public static final short NONE = 0;
    public static final short UNKNOWN_SERVER_ERROR = -1;
    public static final short UNKNOWN_TOPIC_OR_PARTITION = 3;
    public static final short NOT_LEADER_OR_FOLLOWER = 6;
    public static final short REQUEST_TIMED_OUT = 7;
    public static final short INVALID_TOPIC_EXCEPTION = 17;
    public static final short UNSUPPORTED_VERSION = 35;
    public static final short TOPIC_ALREADY_EXISTS = 36;
    public static final short INVALID_PARTITIONS = 37;
    public static final short INVALID_REPLICATION_FACTOR = 38;
    public static final short INVALID_REPLICA_ASSIGNMENT = 39;
    public static final short INVALID_CONFIG = 40;
    public static final short NOT_CONTROLLER = 41;
    public static final short INVALID_REQUEST = 42;
    public static final short POLICY_VIOLATION = 44;
    public static final short FENCED_LEADER_EPOCH = 74;
    public static final short STALE_BROKER_EPOCH = 77;
    public static final short PREFERRED_LEADER_NOT_AVAILABLE = 80;
    public static final short ELIGIBLE_LEADERS_NOT_AVAILABLE = 83;
    public static final short ELECTION_NOT_NEEDED = 84;
    public static final short INVALID_UPDATE_VERSION = 96;
    public static final short UNKNOWN_TOPIC_ID = 100;
    public static final short DUPLICATE_BROKER_REGISTRATION = 101;
    public static final short BROKER_ID_NOT_REGISTERED = 102;
    public static final short INELIGIBLE_REPLICA = 107;
    public static final short INVALID_REGISTRATION = 119;

    private ErrorCodes() {
    }
}
