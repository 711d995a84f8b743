package io.sluice.server.handler;

/**
 * Kafka error codes the handlers answer with (org.apache.kafka.common.protocol.Errors), as
 * constants so hot paths do not look them up. Values are Kafka's and never change.
 */
final class Errors {
    static final short NONE = 0;
    static final short OFFSET_OUT_OF_RANGE = 1;
    static final short CORRUPT_MESSAGE = 2;
    static final short UNKNOWN_TOPIC_OR_PARTITION = 3;
    static final short LEADER_NOT_AVAILABLE = 5;
    static final short NOT_LEADER_OR_FOLLOWER = 6;
    static final short REQUEST_TIMED_OUT = 7;
    static final short MESSAGE_TOO_LARGE = 10;
    static final short INVALID_TOPIC_EXCEPTION = 17;
    static final short NOT_ENOUGH_REPLICAS = 19;
    static final short INVALID_REQUIRED_ACKS = 21;
    static final short INVALID_TIMESTAMP = 32;
    static final short UNSUPPORTED_VERSION = 35;
    static final short TOPIC_ALREADY_EXISTS = 36;
    static final short INVALID_PARTITIONS = 37;
    static final short INVALID_REPLICATION_FACTOR = 38;
    static final short INVALID_REPLICA_ASSIGNMENT = 39;
    static final short INVALID_CONFIG = 40;
    static final short INVALID_REQUEST = 42;
    static final short OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
    static final short INVALID_PRODUCER_EPOCH = 47;
    static final short KAFKA_STORAGE_ERROR = 56;
    static final short FETCH_SESSION_ID_NOT_FOUND = 70;
    static final short INVALID_FETCH_SESSION_EPOCH = 71;
    static final short TOPIC_DELETION_DISABLED = 73;
    static final short FENCED_LEADER_EPOCH = 74;
    static final short UNKNOWN_LEADER_EPOCH = 75;
    static final short OFFSET_NOT_AVAILABLE = 78;
    static final short INVALID_RECORD = 87;
    static final short THROTTLING_QUOTA_EXCEEDED = 89;
    static final short UNKNOWN_TOPIC_ID = 100;
    static final short INCONSISTENT_TOPIC_ID = 103;
    static final short FETCH_SESSION_TOPIC_ID_ERROR = 106;

    private Errors() { }
}
