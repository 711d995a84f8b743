package io.sluice.metadata.command;

/** A result with no payload beyond the error code. */
public record SimpleResult(short errorCode, String errorMessage) implements CommandResult {
    public static final SimpleResult OK = new SimpleResult(ErrorCodes.NONE, null);
}
