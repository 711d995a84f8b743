package io.sluice.storage.segment;

/**
 * Told how long each log flush's fsyncs took (Kafka's {@code LogFlushRateAndTimeMs}), so the broker
 * can export it without the storage module knowing about metrics. Called on the flushing thread
 * (a flush.ms or flush.messages flush, a roll, close) after the fsyncs; implementations must be
 * thread-safe and must not block or allocate.
 */
@FunctionalInterface
public interface FlushTimer {

    /** Nothing recorded (tests, tools). */
    FlushTimer NONE = nanos -> { };

    void flushed(long nanos);
}
