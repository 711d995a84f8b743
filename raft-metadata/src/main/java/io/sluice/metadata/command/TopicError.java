package io.sluice.metadata.command;

/** A per-topic error code (NONE on success). */
public record TopicError(String name, short errorCode, String errorMessage) {
}
