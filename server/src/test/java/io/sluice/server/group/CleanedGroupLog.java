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
import io.sluice.storage.log.LogReadResult;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

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
    private final Compression compression;

    /**
     * @param segmentBytes      small, so the records fill many segments
     * @param deleteRetentionMs the topic's {@code delete.retention.ms}: how long tombstones survive cleanings
     * @param codec             the coordinator's compression codec (a Kafka CompressionType id)
     */
    public CleanedGroupLog(Path dir, String topic, int segmentBytes, long deleteRetentionMs, int codec,
                           LongSupplier clockMs) throws IOException {
        this.clockMs = clockMs;
        this.compression = PartitionGroupLog.compression(codec);
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
        AppendResult r = log.append(PartitionGroupLog.batch(records, clockMs.getAsLong(), compression), 0);
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

    /**
     * The compression codec ids of the stored batches that hold records (the cleaner writes a batch
     * it emptied but keeps, e.g. its group's last, as an uncompressed header).
     */
    public Set<Integer> codecs() {
        Set<Integer> codecs = new TreeSet<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            try (LogReadResult read = log.read(offset, Integer.MAX_VALUE, true)) {
                if (read.sizeInBytes() == 0) {
                    break;
                }
                for (RecordBatch b : MemoryRecords.readableRecords(read.records().duplicate()).batches()) {
                    if (b.countOrNull() == null || b.countOrNull() > 0) {
                        codecs.add((int) b.compressionType().id);
                    }
                }
                offset = read.nextOffset();
            }
        }
        return codecs;
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
