package io.sluice.metadata.command;

/**
 * The outcome of a command. {@link #errorCode()} is Kafka's code for the command as a whole
 * ({@link ErrorCodes#NONE} when it was applied; per-item errors live in the concrete result).
 * Immutable, thread-safe.
 */
public interface CommandResult {
    short errorCode();

    /** Human-readable detail for a non-zero code, or null. */
    String errorMessage();

    default boolean isSuccess() {
        return errorCode() == ErrorCodes.NONE;
    }
}
