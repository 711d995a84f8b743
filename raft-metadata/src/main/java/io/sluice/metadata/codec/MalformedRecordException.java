package io.sluice.metadata.codec;

/** Bytes that do not decode as the record they claim to be: rejected, never applied. */
public final class MalformedRecordException extends RuntimeException {
    private final short errorCode;

    public MalformedRecordException(short errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    /** Kafka error code to report: INVALID_REQUEST (42) or UNSUPPORTED_VERSION (35). */
    public short errorCode() {
        return errorCode;
    }
}
