package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.cleaner.CleaningHook;
import io.sluice.storage.cleaner.LogCleanerManager;
import io.sluice.storage.cleaner.LogCleaningState;
import io.sluice.storage.cleaner.StoredLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cleaner manager over a LogManager's logs, with an injected clock: which log it takes and when
 * (dirtiest first, min.cleanable.dirty.ratio, min/max.compaction.lag.ms, the stable offset bound),
 * its cleaner-offset-checkpoint, the I/O throttle, uncleanable logs, and the background threads of a
 * started LogManager.
 */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(120)
class LogCleanerManagerTest {

    @TempDir
    Path tmp;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);

    private LogManagerConfig managerConfig(CleanerConfig cleaner) {
        return LogManagerConfig.defaults(List.of(tmp.resolve("data")))
                .withDefaultLogConfig(TestLogs.config(LogConfig.SEGMENT_BYTES, "4096"))
                .withMappedSegmentsMax(16).withCleanerConfig(cleaner);
    }

    private LogManager manual() {
        return LogManager.startWithManualCleaner(managerConfig(CleanerConfig.DEFAULTS), clock, t -> null,
                CleaningHook.NONE);
    }

    private static LogConfig compacted(String... more) {
        List<String> kv = new ArrayList<>(List.of(LogConfig.CLEANUP_POLICY, "compact", LogConfig.SEGMENT_BYTES, "4096"));
        kv.addAll(List.of(more));
        return TestLogs.config(kv.toArray(new String[0]));
    }

    /** {@code segments} sealed segments of {@code keys} keys written over and over, then an empty active one. */
    private void fill(PartitionLog log, int segments, int keys) {
        int written = 0;
        while (log.segmentCount() <= segments) {
            RecordBatchBuilder b = RecordBatchBuilder.create(0, clock.millis());
            for (int r = 0; r < 4; r++, written++) {
                b.add(("key-" + written % keys).getBytes(StandardCharsets.UTF_8), new byte[100], clock.millis());
            }
            assertThat(log.append(b.build(), 0).errorCode()).isEqualTo(ErrorCode.NONE);
        }
        log.roll();
    }

    @Test
    void takesTheDirtiestCompactedLogFirstAndCheckpointsWhereItStopped() throws Exception {
        TopicPartitionId few = new TopicPartitionId("few-keys", 0);
        TopicPartitionId many = new TopicPartitionId("many-keys", 0);
        TopicPartitionId deleted = new TopicPartitionId("delete-policy", 0);
        long fewCheckpoint;
        try (LogManager logs = manual()) {
            PartitionLog a = logs.getOrCreate(few, compacted());
            PartitionLog b = logs.getOrCreate(many, compacted());
            PartitionLog c = logs.getOrCreate(deleted, TestLogs.config(LogConfig.SEGMENT_BYTES, "4096"));
            fill(a, 3, 5);
            fill(b, 6, 5);
            fill(c, 6, 5);
            LogCleanerManager cleaner = logs.cleaner();
            // Both are all dirty (ratio 1.0, a tie): one pass takes one, the next the other, a third finds
            // nothing (a delete-policy log is never taken).
            assertThat(cleaner.runOnce()).isTrue();
            assertThat(cleaner.runOnce()).isTrue();
            assertThat(cleaner.runOnce()).isFalse();
            Map<TopicPartitionId, LogCleaningState> states = cleaner.states();
            assertThat(states).containsKeys(few, many).doesNotContainKey(deleted);
            assertThat(states.get(few).cleanings()).isEqualTo(1);
            assertThat(states.get(few).cleanerCheckpoint()).isEqualTo(a.logEndOffset());
            assertThat(states.get(many).lastBytesWritten()).isLessThan(states.get(many).lastBytesRead());
            assertThat(StoredLog.records(StoredLog.read(a))).hasSize(5);
            assertThat(c.sizeInBytes()).as("the delete-policy log is untouched").isGreaterThan(6 * 3000);

            // Dirtiest first: three new dirty segments in one, one in the other.
            fill(b, b.segmentCount() + 2, 5);
            fill(a, a.segmentCount(), 5);
            assertThat(b.segmentCount()).isGreaterThan(a.segmentCount());
            assertThat(cleaner.runOnce()).isTrue();
            assertThat(cleaner.states().get(many).cleanings()).isEqualTo(2);
            assertThat(cleaner.states().get(few).cleanings()).isEqualTo(1);
            fewCheckpoint = cleaner.checkpoints().get(few);
        }
        List<String> lines = Files.readAllLines(tmp.resolve("data").resolve(LogManager.CLEANER_OFFSET_CHECKPOINT));
        assertThat(lines.subList(0, 2)).containsExactly("0", "2");
        assertThat(lines.subList(2, 4)).anyMatch(l -> l.startsWith("few-keys 0 ")).anyMatch(l -> l.startsWith("many-keys 0 "));

        try (LogManager logs = manual()) {
            assertThat(logs.cleaner().states().get(few).cleanerCheckpoint())
                    .as("read back from cleaner-offset-checkpoint").isEqualTo(fewCheckpoint);
        }
    }

    @Test
    void honoursTheDirtyRatioAndTheCompactionLags() throws Exception {
        try (LogManager logs = manual()) {
            PartitionLog ratio = logs.getOrCreate(new TopicPartitionId("ratio", 0),
                    compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.9"));
            fill(ratio, 4, 5);
            LogCleanerManager cleaner = logs.cleaner();
            assertThat(cleaner.runOnce()).isTrue(); // all dirty: 1.0 > 0.9
            fill(ratio, ratio.segmentCount() + 1, 5); // a little more dirt: far below 0.9
            assertThat(cleaner.runOnce()).as("below min.cleanable.dirty.ratio").isFalse();

            logs.delete(ratio.topicPartition());
            PartitionLog lagged = logs.getOrCreate(new TopicPartitionId("lagged", 0),
                    compacted(LogConfig.MIN_COMPACTION_LAG_MS, "60000"));
            fill(lagged, 3, 5);
            assertThat(cleaner.runOnce()).as("younger than min.compaction.lag.ms").isFalse();
            clock.advance(60_001);
            assertThat(cleaner.runOnce()).isTrue();

            logs.delete(lagged.topicPartition());
            PartitionLog overdue = logs.getOrCreate(new TopicPartitionId("overdue", 0),
                    compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "1.0", LogConfig.MAX_COMPACTION_LAG_MS, "60000"));
            fill(overdue, 3, 5);
            assertThat(cleaner.runOnce()).as("ratio 1.0 is never passed").isFalse();
            clock.advance(60_001);
            assertThat(cleaner.runOnce()).as("dirty for longer than max.compaction.lag.ms").isTrue();
            assertThat(cleaner.states().keySet()).containsExactly(overdue.topicPartition());
        }
    }

    @Test
    void neverCleansPastTheStableOffsetBound() throws Exception {
        try (LogManager logs = manual()) {
            PartitionLog log = logs.getOrCreate(new TopicPartitionId("hw", 0), compacted());
            fill(log, 4, 5);
            long hw = ((MappedPartitionLog) log).segmentBaseOffsets().get(2);
            logs.cleaner().setStableOffsetBound(tp -> hw);
            assertThat(logs.cleaner().runOnce()).isTrue();
            assertThat(logs.cleaner().checkpoints().get(log.topicPartition())).isEqualTo(hw);
            Map<String, Integer> keysAtOrAbove = new HashMap<>();
            for (var rec : StoredLog.records(StoredLog.read(log))) {
                if (rec.offset() >= hw) {
                    keysAtOrAbove.merge(new String(rec.key(), StandardCharsets.UTF_8), 1, Integer::sum);
                }
            }
            assertThat(keysAtOrAbove.values()).as("above the bound every record stays").anyMatch(n -> n > 1);
        }
    }

    @Test
    void aTruncationBelowTheCheckpointMakesWhatIsWrittenThereAgainDirty() throws Exception {
        try (LogManager logs = manual()) {
            PartitionLog log = logs.getOrCreate(new TopicPartitionId("truncated", 0),
                    compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0"));
            fill(log, 4, 5);
            LogCleanerManager cleaner = logs.cleaner();
            assertThat(cleaner.runOnce()).isTrue();
            long checkpoint = cleaner.checkpoints().get(log.topicPartition());
            long truncateTo = checkpoint - 3;
            log.truncateTo(truncateTo); // replication: a divergent suffix
            // Written again below the old checkpoint: a key twice, which only a cleaning that maps it removes.
            for (int i = 0; i < 2; i++) {
                assertThat(log.append(RecordBatchBuilder.create(0, clock.millis())
                        .add("again".getBytes(StandardCharsets.UTF_8), new byte[100], clock.millis()).build(), 0)
                        .errorCode()).isEqualTo(ErrorCode.NONE);
            }
            assertThat(log.logEndOffset()).isLessThan(checkpoint);
            fill(log, log.segmentCount() + 1, 3);
            assertThat(cleaner.runOnce()).isTrue();
            assertThat(cleaner.checkpoints().get(log.topicPartition())).isEqualTo(log.logEndOffset());
            long again = StoredLog.records(StoredLog.read(log)).stream()
                    .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("again")).count();
            assertThat(again).as("the key written twice after the truncation, deduplicated").isEqualTo(1);
        }
    }

    @Test
    void throttlesItsIoToTheConfiguredRate() throws Exception {
        AtomicLong slept = new AtomicLong();
        try (LogManager logs = LogManager.startWithManualCleaner(managerConfig(CleanerConfig.DEFAULTS), clock,
                t -> null, CleaningHook.NONE)) {
            PartitionLog log = logs.getOrCreate(new TopicPartitionId("slow", 0), compacted());
            fill(log, 6, 5);
            CleanerConfig limited = CleanerConfig.fromBrokerProperties(
                    Map.of(CleanerConfig.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, "1000"));
            LogCleanerManager cleaner = new LogCleanerManager(limited, () -> List.of((MappedPartitionLog) log), Map.of(),
                    offsets -> { }, clock, ms -> {
                        slept.addAndGet(ms);
                        clock.advance(ms);
                    }, CleaningHook.NONE);
            long bytes = log.sizeInBytes();
            clock.advance(1); // the throttle measures from its creation
            assertThat(cleaner.runOnce()).isTrue();
            // Reading (twice: map, rewrite) and writing ~2.x bytes per log byte at 1000 B/s.
            assertThat(slept.get()).as("slept for %d bytes", bytes).isGreaterThanOrEqualTo(bytes * 2 - 1000);
            cleaner.close();
        }
    }

    @Test
    void aBatchItCannotReadMakesTheLogUncleanableWithTheReason() throws Exception {
        try (LogManager logs = manual()) {
            PartitionLog log = logs.getOrCreate(new TopicPartitionId("bad", 0), compacted());
            fill(log, 2, 5);
            // A follower stores what its leader sent (header and CRC checks only): gzip bits over bytes
            // that are not gzip pass them.
            ByteBuffer bad = RecordBatchBuilder.create(log.logEndOffset(), clock.millis())
                    .add("k".getBytes(StandardCharsets.UTF_8), new byte[50], clock.millis()).build();
            bad.putShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET, (short) 1);
            bad.putInt(RecordBatchDescriptor.CRC_OFFSET, (int) RecordBatchHeader.computeCrc(bad, 0, bad.limit()));
            assertThat(log.appendAsFollower(bad).errorCode()).isEqualTo(ErrorCode.NONE);
            log.roll();
            assertThat(logs.cleaner().runOnce()).isTrue();
            assertThat(logs.cleaner().uncleanablePartitions()).containsOnlyKeys(log.topicPartition());
            assertThat(logs.cleaner().uncleanablePartitions().get(log.topicPartition())).contains("cannot be read");
            assertThat(logs.cleaner().runOnce()).as("an uncleanable log is not taken again").isFalse();
            assertThat(log.isOffline()).isFalse();
        }
    }

    @Test
    void aStartedLogManagerCompactsInTheBackground() throws Exception {
        CleanerConfig fast = CleanerConfig.fromBrokerProperties(Map.of(CleanerConfig.LOG_CLEANER_BACKOFF_MS, "10"));
        try (LogManager logs = LogManager.start(managerConfig(fast), clock, t -> null)) {
            // Any dirt at all is enough: the threads may clean part of the log while it is written, leaving a
            // small last dirty section.
            PartitionLog log = logs.getOrCreate(new TopicPartitionId("background", 0),
                    compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0"));
            fill(log, 4, 5);
            long deadline = System.nanoTime() + 60_000_000_000L;
            // The threads may take the log while it is written: wait until its cleaning reached the end.
            while (!Long.valueOf(log.logEndOffset()).equals(logs.cleaner().checkpoints().get(log.topicPartition()))) {
                assertThat(System.nanoTime()).as("cleaned to the end within 60 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(StoredLog.records(StoredLog.read(log))).hasSize(5);
        }
    }

    @Test
    void reconfigureReplacesTheThreadsWithoutARestartWithinKafkasLimits() throws Exception {
        CleanerConfig fast = CleanerConfig.fromBrokerProperties(Map.of(CleanerConfig.LOG_CLEANER_BACKOFF_MS, "10"));
        try (LogManager logs = LogManager.start(managerConfig(fast), clock, t -> null)) {
            LogCleanerManager cleaner = logs.cleaner();
            assertThat(cleaner.threadCount()).isEqualTo(1);
            cleaner.reconfigure(fast.overriddenBy(Map.of(CleanerConfig.LOG_CLEANER_THREADS, "2",
                    CleanerConfig.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, "100000000")), true);
            assertThat(cleaner.threadCount()).isEqualTo(2);
            assertThat(cleaner.config().ioBytesPerSecondMax()).isEqualTo(1e8);
            assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).extracting(Thread::getName)
                    .contains("sluice-log-cleaner-0", "sluice-log-cleaner-1");

            // Kafka's limits: at least one thread, at most halved or doubled at once; refused, nothing changes.
            for (String threads : List.of("0", "5")) {
                CleanerConfig refused = cleaner.config().overriddenBy(Map.of(CleanerConfig.LOG_CLEANER_THREADS, threads));
                assertThat(cleaner.reconfigurationProblem(refused)).as(threads).contains(CleanerConfig.LOG_CLEANER_THREADS);
                assertThatThrownBy(() -> cleaner.reconfigure(refused, true)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(CleanerConfig.LOG_CLEANER_THREADS);
            }
            assertThat(cleaner.threadCount()).isEqualTo(2);

            // The new threads clean.
            PartitionLog log = logs.getOrCreate(new TopicPartitionId("after-reconfigure", 0),
                    compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0"));
            fill(log, 4, 5);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Long.valueOf(log.logEndOffset()).equals(cleaner.checkpoints().get(log.topicPartition()))) {
                assertThat(System.nanoTime()).as("cleaned to the end within 60 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(StoredLog.records(StoredLog.read(log))).hasSize(5);

            cleaner.reconfigure(cleaner.config().overriddenBy(Map.of(CleanerConfig.LOG_CLEANER_THREADS, "1")), true);
            assertThat(cleaner.threadCount()).isEqualTo(1);
            // What a broker finds stored at start applies past the limits (checked when it was altered).
            cleaner.reconfigure(cleaner.config().overriddenBy(Map.of(CleanerConfig.LOG_CLEANER_THREADS, "4")), false);
            assertThat(cleaner.threadCount()).isEqualTo(4);
        }
    }
}
