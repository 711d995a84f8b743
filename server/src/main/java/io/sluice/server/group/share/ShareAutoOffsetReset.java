package io.sluice.server.group.share;

import io.sluice.replication.Partition;
import io.sluice.storage.log.TimestampOffset;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where a share-partition without persisted state starts, by the group's
 * {@code share.auto.offset.reset} (Kafka's ShareGroupAutoOffsetResetStrategy): {@code latest} (the
 * default) at the high watermark, {@code earliest} at the log start, {@code by_duration:<ISO-8601>}
 * at the first record no older than that duration, or at the high watermark when there is none.
 * Values were validated when they were set. Stateless.
 */
final class ShareAutoOffsetReset {

    static final String CONFIG = "share.auto.offset.reset";
    static final String LATEST = "latest";
    private static final String BY_DURATION = "by_duration:";

    private ShareAutoOffsetReset() { }

    static long startOffset(String strategy, Partition leader, long nowMs) {
        long highWatermark = leader.highWatermark();
        String s = strategy.trim().toLowerCase(Locale.ROOT);
        if (s.equals("earliest")) {
            return Math.min(leader.logStartOffset(), highWatermark);
        }
        if (!s.startsWith(BY_DURATION)) {
            return highWatermark;
        }
        Duration back = Duration.parse(strategy.trim().substring(BY_DURATION.length()));
        TimestampOffset found = leader.log().offsetForTimestamp(Math.max(0, nowMs - back.toMillis()));
        return found.errorCode() != Errors.NONE.code() || found.offset() < 0 ? highWatermark
                : Math.max(leader.logStartOffset(), Math.min(found.offset(), highWatermark));
    }
}
