package io.sluice.storage;

/**
 * Kafka's numeric error codes (org.apache.kafka.common.protocol.Errors) for the outcomes storage and
 * replication report. The hot paths (append, read, replicate) return these instead of throwing, so
 * the server can put them straight into a response.
 *
 * <p>Constants only; thread-safe.
 */
public final class ErrorCode {

    /** Kafka's code for an exception it did not expect, e.g. a compressed stream that does not decompress. */
    public static final short UNKNOWN_SERVER_ERROR = -1;
    public static final short NONE = 0;
    public static final short OFFSET_OUT_OF_RANGE = 1;
    public static final short CORRUPT_MESSAGE = 2;
    public static final short UNKNOWN_TOPIC_OR_PARTITION = 3;
    public static final short NOT_LEADER_OR_FOLLOWER = 6;
    public static final short REQUEST_TIMED_OUT = 7;
    public static final short MESSAGE_TOO_LARGE = 10;
    public static final short RECORD_LIST_TOO_LARGE = 18;
    public static final short NOT_ENOUGH_REPLICAS = 19;
    public static final short NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20;
    public static final short INVALID_TIMESTAMP = 32;
    public static final short UNSUPPORTED_FOR_MESSAGE_FORMAT = 43;
    public static final short INVALID_TXN_STATE = 48;
    public static final short KAFKA_STORAGE_ERROR = 56;
    public static final short FENCED_LEADER_EPOCH = 74;
    public static final short UNKNOWN_LEADER_EPOCH = 75;
    public static final short UNSUPPORTED_COMPRESSION_TYPE = 76;
    public static final short OFFSET_NOT_AVAILABLE = 78;
    public static final short INVALID_RECORD = 87;

    private ErrorCode() {
    }

    /** Kafka's name of a code, for log lines and test messages. */
    public static String name(short code) {
        return switch (code) {
            case UNKNOWN_SERVER_ERROR -> "UNKNOWN_SERVER_ERROR";
            case NONE -> "NONE";
            case OFFSET_OUT_OF_RANGE -> "OFFSET_OUT_OF_RANGE";
            case CORRUPT_MESSAGE -> "CORRUPT_MESSAGE";
            case UNKNOWN_TOPIC_OR_PARTITION -> "UNKNOWN_TOPIC_OR_PARTITION";
            case MESSAGE_TOO_LARGE -> "MESSAGE_TOO_LARGE";
            case RECORD_LIST_TOO_LARGE -> "RECORD_LIST_TOO_LARGE";
            case INVALID_TIMESTAMP -> "INVALID_TIMESTAMP";
            case UNSUPPORTED_FOR_MESSAGE_FORMAT -> "UNSUPPORTED_FOR_MESSAGE_FORMAT";
            case KAFKA_STORAGE_ERROR -> "KAFKA_STORAGE_ERROR";
            case UNSUPPORTED_COMPRESSION_TYPE -> "UNSUPPORTED_COMPRESSION_TYPE";
            case INVALID_RECORD -> "INVALID_RECORD";
            default -> "UNKNOWN(" + code + ")";
        };
    }
}
