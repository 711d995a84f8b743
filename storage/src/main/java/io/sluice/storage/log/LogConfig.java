package io.sluice.storage.log;

import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.cleaner.CompactionConfig;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Per-log settings, under Kafka's topic-level names and with Kafka's defaults. Built from a topic's
 * config map over the broker defaults ({@link #fromBrokerProperties}); an invalid value is refused
 * with an {@link IllegalArgumentException} that names the setting. Keys that are not storage's
 * (compression.type, min.insync.replicas, ...) are ignored here: the server validates the whole set.
 *
 * <p>Immutable, thread-safe.
 *
 * @param segmentBytes            {@code segment.bytes}: roll when the active segment would pass this size
 * @param segmentMs               {@code segment.ms}: roll a non-empty segment this long after its first append
 * @param segmentIndexBytes       {@code segment.index.bytes}: offset index size limit, rolls when full
 * @param indexIntervalBytes      {@code index.interval.bytes}: bytes between two sparse index entries
 * @param maxMessageBytes         {@code max.message.bytes}: largest batch accepted
 * @param flushMessages           {@code flush.messages}: force to disk after this many unflushed messages
 * @param flushMs                 {@code flush.ms}: force to disk when the last flush is this old
 * @param retentionMs             {@code retention.ms}: delete segments whose newest batch is older; -1 = keep
 * @param retentionBytes          {@code retention.bytes}: delete oldest segments while the log is bigger; negative (kept as -1) = keep
 * @param logAppendTime           {@code message.timestamp.type}: true for LogAppendTime, false for CreateTime
 * @param timestampBeforeMaxMs    {@code message.timestamp.before.max.ms} (CreateTime only)
 * @param timestampAfterMaxMs     {@code message.timestamp.after.max.ms} (CreateTime only)
 * @param cleanupDelete           {@code cleanup.policy} contains {@code delete}: retention by time and size applies
 * @param cleanupCompact          {@code cleanup.policy} contains {@code compact}: every record needs a key (Kafka's
 *                                LogValidator) and the log cleaner compacts the log
 * @param deleteRetentionMs       {@code delete.retention.ms} (broker: {@code log.cleaner.delete.retention.ms}): how
 *                                long a tombstone stays after its batch was first cleaned
 * @param minCompactionLagMs      {@code min.compaction.lag.ms} (broker: {@code log.cleaner.min.compaction.lag.ms})
 * @param maxCompactionLagMs      {@code max.compaction.lag.ms} (broker: {@code log.cleaner.max.compaction.lag.ms})
 * @param minCleanableDirtyRatio  {@code min.cleanable.dirty.ratio} (broker: {@code log.cleaner.min.cleanable.ratio})
 */
public record LogConfig(int segmentBytes, long segmentMs, int segmentIndexBytes, int indexIntervalBytes,
                        int maxMessageBytes, long flushMessages, long flushMs, long retentionMs,
                        long retentionBytes, boolean logAppendTime, long timestampBeforeMaxMs,
                        long timestampAfterMaxMs, boolean cleanupDelete, boolean cleanupCompact,
                        long deleteRetentionMs, long minCompactionLagMs, long maxCompactionLagMs,
                        double minCleanableDirtyRatio) {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";

    /** Kafka's defaults (4.x). */
    public static final LogConfig DEFAULTS = new LogConfig(1024 * 1024 * 1024, 7L * 24 * 60 * 60 * 1000,
            10 * 1024 * 1024, 4096, 1024 * 1024 + 12, Long.MAX_VALUE, Long.MAX_VALUE,
            7L * 24 * 60 * 60 * 1000, -1L, false, Long.MAX_VALUE, 60L * 60 * 1000, true, false,
            24L * 60 * 60 * 1000, 0L, Long.MAX_VALUE, 0.5);

    /** Smallest offset index: room for at least one entry. */
    public static final int SEGMENT_INDEX_BYTES_MIN = 8;

    public LogConfig {
        // Smaller segments than Kafka's 1 MiB minimum are allowed: tests roll often on purpose.
        requireAtLeast(SEGMENT_BYTES, segmentBytes, RecordBatchDescriptor.HEADER_LENGTH);
        requireAtLeast(SEGMENT_MS, segmentMs, 1);
        // Kafka accepts segment.index.bytes from 4; below one entry an index holds nothing, so it is
        // raised to one entry rather than refused (the quorum stores what Kafka accepts).
        segmentIndexBytes = Math.max(segmentIndexBytes, SEGMENT_INDEX_BYTES_MIN);
        requireAtLeast(INDEX_INTERVAL_BYTES, indexIntervalBytes, 0);
        requireAtLeast(MAX_MESSAGE_BYTES, maxMessageBytes, 0);
        requireAtLeast(FLUSH_MESSAGES, flushMessages, 1);
        requireAtLeast(FLUSH_MS, flushMs, 0);
        requireAtLeast(RETENTION_MS, retentionMs, -1);
        // Kafka accepts any long for retention.bytes and reads every negative value as "no limit";
        // refusing one here would make a value the quorum stored unusable for every apply.
        retentionBytes = Math.max(retentionBytes, -1);
        requireAtLeast(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, timestampBeforeMaxMs, 0);
        requireAtLeast(MESSAGE_TIMESTAMP_AFTER_MAX_MS, timestampAfterMaxMs, 0);
        requireAtLeast(DELETE_RETENTION_MS, deleteRetentionMs, 0);
        requireAtLeast(MIN_COMPACTION_LAG_MS, minCompactionLagMs, 0);
        requireAtLeast(MAX_COMPACTION_LAG_MS, maxCompactionLagMs, 1);
        if (!(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1)) {
            throw new IllegalArgumentException("Invalid value " + minCleanableDirtyRatio + " for configuration "
                    + MIN_CLEANABLE_DIRTY_RATIO + ": must be between 0 and 1");
        }
        // min.compaction.lag.ms > max.compaction.lag.ms is refused where topics are created (Kafka's
        // LogConfig.validate, INVALID_CONFIG); here both simply apply: a stored config never fails to load.
    }

    /** Topic configs over {@link #DEFAULTS}. */
    public static LogConfig fromMap(Map<String, String> topicConfigs) {
        return DEFAULTS.overriddenBy(topicConfigs);
    }

    /** This config with the storage keys present in {@code topicConfigs} replaced. */
    public LogConfig overriddenBy(Map<String, String> topicConfigs) {
        Objects.requireNonNull(topicConfigs, "topicConfigs");
        Map<String, String> c = topicConfigs;
        return new LogConfig(
                intValue(c, SEGMENT_BYTES, segmentBytes),
                longValue(c, SEGMENT_MS, segmentMs),
                intValue(c, SEGMENT_INDEX_BYTES, segmentIndexBytes),
                intValue(c, INDEX_INTERVAL_BYTES, indexIntervalBytes),
                intValue(c, MAX_MESSAGE_BYTES, maxMessageBytes),
                longValue(c, FLUSH_MESSAGES, flushMessages),
                longValue(c, FLUSH_MS, flushMs),
                longValue(c, RETENTION_MS, retentionMs),
                longValue(c, RETENTION_BYTES, retentionBytes),
                timestampType(c, logAppendTime),
                longValue(c, MESSAGE_TIMESTAMP_BEFORE_MAX_MS, timestampBeforeMaxMs),
                longValue(c, MESSAGE_TIMESTAMP_AFTER_MAX_MS, timestampAfterMaxMs),
                cleanupPolicyHas(c, "delete", cleanupDelete),
                cleanupPolicyHas(c, "compact", cleanupCompact),
                longValue(c, DELETE_RETENTION_MS, deleteRetentionMs),
                longValue(c, MIN_COMPACTION_LAG_MS, minCompactionLagMs),
                longValue(c, MAX_COMPACTION_LAG_MS, maxCompactionLagMs),
                doubleValue(c, MIN_CLEANABLE_DIRTY_RATIO, minCleanableDirtyRatio));
    }

    /**
     * The broker-wide defaults from server.properties names (log.segment.bytes, log.roll.ms /
     * log.roll.hours, log.index.interval.bytes, log.index.size.max.bytes, message.max.bytes,
     * log.flush.interval.messages, log.flush.interval.ms, log.retention.ms / .minutes / .hours,
     * log.retention.bytes, log.message.timestamp.type, log.message.timestamp.before/after.max.ms,
     * log.cleanup.policy, log.cleaner.delete.retention.ms, log.cleaner.min.compaction.lag.ms,
     * log.cleaner.max.compaction.lag.ms, log.cleaner.min.cleanable.ratio).
     */
    public static LogConfig fromBrokerProperties(Map<String, String> props) {
        Map<String, String> topicNames = new HashMap<>();
        copy(props, "log.segment.bytes", topicNames, SEGMENT_BYTES);
        copyTime(props, topicNames, SEGMENT_MS, "log.roll.ms", null, "log.roll.hours");
        copy(props, "log.index.interval.bytes", topicNames, INDEX_INTERVAL_BYTES);
        copy(props, "log.index.size.max.bytes", topicNames, SEGMENT_INDEX_BYTES);
        copy(props, "message.max.bytes", topicNames, MAX_MESSAGE_BYTES);
        copy(props, "log.flush.interval.messages", topicNames, FLUSH_MESSAGES);
        copy(props, "log.flush.interval.ms", topicNames, FLUSH_MS);
        copyTime(props, topicNames, RETENTION_MS, "log.retention.ms", "log.retention.minutes", "log.retention.hours");
        copy(props, "log.retention.bytes", topicNames, RETENTION_BYTES);
        copy(props, "log.message.timestamp.type", topicNames, MESSAGE_TIMESTAMP_TYPE);
        copy(props, "log.message.timestamp.before.max.ms", topicNames, MESSAGE_TIMESTAMP_BEFORE_MAX_MS);
        copy(props, "log.message.timestamp.after.max.ms", topicNames, MESSAGE_TIMESTAMP_AFTER_MAX_MS);
        copy(props, "log.cleanup.policy", topicNames, CLEANUP_POLICY);
        copy(props, "log.cleaner.delete.retention.ms", topicNames, DELETE_RETENTION_MS);
        copy(props, "log.cleaner.min.compaction.lag.ms", topicNames, MIN_COMPACTION_LAG_MS);
        copy(props, "log.cleaner.max.compaction.lag.ms", topicNames, MAX_COMPACTION_LAG_MS);
        copy(props, "log.cleaner.min.cleanable.ratio", topicNames, MIN_CLEANABLE_DIRTY_RATIO);
        return fromMap(topicNames);
    }

    private static void copy(Map<String, String> from, String fromKey, Map<String, String> to, String toKey) {
        String v = from.get(fromKey);
        if (v != null) {
            to.put(toKey, v);
        }
    }

    /** Kafka's precedence: the .ms setting, then .minutes, then .hours. */
    private static void copyTime(Map<String, String> from, Map<String, String> to, String toKey,
                                 String msKey, String minutesKey, String hoursKey) {
        if (from.get(msKey) != null) {
            to.put(toKey, from.get(msKey));
        } else if (minutesKey != null && from.get(minutesKey) != null) {
            to.put(toKey, Long.toString(scaled(from, minutesKey, 60_000L)));
        } else if (from.get(hoursKey) != null) {
            to.put(toKey, Long.toString(scaled(from, hoursKey, 3_600_000L)));
        }
    }

    private static long scaled(Map<String, String> from, String key, long factor) {
        long v = parseLong(key, from.get(key));
        return v < 0 ? -1 : Math.multiplyExact(v, factor);
    }

    private static int intValue(Map<String, String> c, String key, int dflt) {
        String v = c.get(key);
        if (v == null) {
            return dflt;
        }
        long parsed = parseLong(key, v);
        if (parsed > Integer.MAX_VALUE || parsed < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key + ": not an int");
        }
        return (int) parsed;
    }

    private static long longValue(Map<String, String> c, String key, long dflt) {
        String v = c.get(key);
        return v == null ? dflt : parseLong(key, v);
    }

    private static long parseLong(String key, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key + ": not a number", e);
        }
    }

    private static double doubleValue(Map<String, String> c, String key, double dflt) {
        String v = c.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + v + " for configuration " + key + ": not a number", e);
        }
    }

    private static boolean timestampType(Map<String, String> c, boolean dflt) {
        String v = c.get(MESSAGE_TIMESTAMP_TYPE);
        if (v == null) {
            return dflt;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "createtime" -> false;
            case "logappendtime" -> true;
            default -> throw new IllegalArgumentException("Invalid value " + v + " for configuration "
                    + MESSAGE_TIMESTAMP_TYPE + ": must be CreateTime or LogAppendTime");
        };
    }

    /** Whether the comma-separated {@code cleanup.policy} (if set) names {@code policy}; refuses unknown policies. */
    private static boolean cleanupPolicyHas(Map<String, String> c, String policy, boolean dflt) {
        String v = c.get(CLEANUP_POLICY);
        if (v == null) {
            return dflt;
        }
        boolean found = false;
        for (String p : v.split(",")) {
            String name = p.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!name.equals("delete") && !name.equals("compact")) {
                throw new IllegalArgumentException("Invalid value " + v + " for configuration " + CLEANUP_POLICY
                        + ": must be a list of delete and compact");
            }
            found |= name.equals(policy);
        }
        return found;
    }

    /** Compacted but not deleted by time or size: only the log cleaner shrinks such a log. */
    public boolean keptWhole() {
        return cleanupCompact && !cleanupDelete;
    }

    /** What the log cleaner reads of this config. */
    public CompactionConfig compactionConfig() {
        return new CompactionConfig(cleanupCompact, deleteRetentionMs, minCompactionLagMs, maxCompactionLagMs,
                minCleanableDirtyRatio, segmentBytes, offsetIndexEntriesMax(), indexIntervalBytes);
    }

    private static void requireAtLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + key
                    + ": must be at least " + min);
        }
    }

    /** Entries the offset index may hold before the segment must roll. */
    public int offsetIndexEntriesMax() {
        return segmentIndexBytes / 8;
    }
}
