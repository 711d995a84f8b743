package io.sluice.storage.cleaner;

/**
 * What the log cleaner reads of one log's config (topic-level names, Kafka's defaults; the log's
 * {@code LogConfig} makes it).
 *
 * <p>Immutable, thread-safe.
 *
 * @param compact                {@code cleanup.policy} has {@code compact}: the cleaner cleans this log
 * @param deleteRetentionMs      {@code delete.retention.ms}: a tombstone stays this long after its batch was first cleaned
 * @param minCompactionLagMs     {@code min.compaction.lag.ms}: a segment whose newest record is younger is not cleaned
 * @param maxCompactionLagMs     {@code max.compaction.lag.ms}: a dirty segment whose first batch is older is cleaned
 *                               whatever the dirty ratio
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: dirty bytes over all bytes a log must pass
 * @param segmentBytes           {@code segment.bytes}: the most a group of segments cleaned into one may hold
 * @param offsetIndexEntriesMax  from {@code segment.index.bytes}: the most index entries of a group
 * @param indexIntervalBytes     {@code index.interval.bytes}: for the cleaned segment's index
 */
public record CompactionConfig(boolean compact, long deleteRetentionMs, long minCompactionLagMs,
                               long maxCompactionLagMs, double minCleanableDirtyRatio, int segmentBytes,
                               int offsetIndexEntriesMax, int indexIntervalBytes) {
}
