package io.sluice.server.group;

import io.sluice.server.group.log.GroupLog;
import io.sluice.server.group.log.GroupRecords;
import io.sluice.server.group.log.PartitionGroupLog;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.cleaner.CleaningHook;
import io.sluice.storage.cleaner.LogCleanerManager;
import io.sluice.storage.log.AppendResult;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogLoader;
import io.sluice.storage.log.MappedPartitionLog;
import io.sluice.storage.segment.MappingCache;
import io.sluice.storage.segment.SegmentEnvironment;
import io.sluice.storage.segment.SpaceReserver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A coordinator partition on a real compacted log on disk, cleaned by storage's real
 * {@link LogCleanerManager} when the test says so (tests). Appends and replay use the coordinator's
 * own batch building and reading ({@link PartitionGroupLog}), so a replay reads what the broker
 * would read from a cleaned partition. Not thread-safe: the test thread only.
 */
public final class CleanedGroupLog implements GroupLog, AutoCloseable {

    private final MappedPartitionLog log;
    private final LogCleanerManager cleaner;
    private final LongSupplier clockMs;

    /**
     * @param segmentBytes      small, so the records fill many segments
     * @param deleteRetentionMs the topic's {@code delete.retention.ms}: how long tombstones survive cleanings
     */
    public CleanedGroupLog(Path dir, String topic, int segmentBytes, long deleteRetentionMs, LongSupplier clockMs)
            throws IOException {
        this.clockMs = clockMs;
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(clockMs.getAsLong());
            }
        };
        TopicPartitionId tp = new TopicPartitionId(topic, 0);
        LogConfig config = LogConfig.fromMap(Map.of(LogConfig.CLEANUP_POLICY, "compact",
                LogConfig.SEGMENT_BYTES, Integer.toString(segmentBytes),
                LogConfig.DELETE_RETENTION_MS, Long.toString(deleteRetentionMs),
                LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.01"));
        this.log = LogLoader.load(dir.resolve(tp.dirName()), tp, config,
                new SegmentEnvironment(new MappingCache(8), SpaceReserver.detect(), 4096, 64 * 1024), clock, 0, 0,
                (l, e) -> { });
        this.cleaner = new LogCleanerManager(new CleanerConfig(true, 1, 1 << 20, 64 * 1024, 0.9, Double.MAX_VALUE, 15_000),
                () -> List.of(log), Map.of(), checkpoints -> { }, clock, ms -> { }, CleaningHook.NONE);
    }

    @Override
    public CompletableFuture<Short> append(List<GroupRecords.Record> records) {
        AppendResult r = log.append(PartitionGroupLog.batch(records, clockMs.getAsLong()), 0);
        return CompletableFuture.completedFuture(r.errorCode());
    }

    @Override
    public void replay(Consumer<GroupRecords.Record> visitor) {
        PartitionGroupLog.replay(log, visitor);
    }

    /** Seals the active segment (never cleaned), then cleans until the cleaner finds nothing to do. */
    public int rollAndClean() throws InterruptedException {
        log.roll();
        int cleanings = 0;
        while (cleaner.runOnce()) {
            cleanings++;
        }
        return cleanings;
    }

    /** Every record a replay reads now. */
    public List<GroupRecords.Record> records() {
        List<GroupRecords.Record> out = new ArrayList<>();
        replay(out::add);
        return out;
    }

    public long sizeInBytes() {
        return log.sizeInBytes();
    }

    /** Offsets from the log start to the log end: more than {@link #records()} once cleaning left gaps. */
    public long offsetSpan() {
        return log.logEndOffset() - log.logStartOffset();
    }

    @Override
    public void close() {
        cleaner.close();
        log.close();
    }
}
