package io.sluice.chaos.history;

/** One record a consumer read: where it was and what it said. Immutable. */
public record Read(String topic, int partition, long offset, String value) { }
