package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.batch.RecordBatchValidator;
import io.sluice.storage.cleaner.CleaningHook;
import io.sluice.storage.cleaner.CleaningStep;
import io.sluice.storage.cleaner.LogCleaner;
import io.sluice.storage.cleaner.StoredLog;
import io.sluice.storage.cleaner.StoredLog.StoredRecord;
import io.sluice.storage.segment.SegmentEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cleaning stopped by a crash at each of its steps (written, forced, renamed to .swap, swapped in,
 * old deleted, done), the process gone without closing anything: the reopened log reads exactly as
 * before the cleaning (crash before the commit point) or exactly as after it (from the rename to
 * .swap on), never a mix or a loss, and no .cleaned or .swap file is left.
 */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(120)
class CompactionCrashTest {

    /** Thrown by the hook: the cleaning stops where a crash would. */
    private static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(CleaningStep step) {
            super("crash at " + step, null, false, false);
        }
    }

    @TempDir
    Path tmp;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final SegmentEnvironment env = TestLogs.env(4);
    private final LogConfig cfg = TestLogs.config(LogConfig.CLEANUP_POLICY, "compact", LogConfig.SEGMENT_BYTES, "1048576",
            LogConfig.INDEX_INTERVAL_BYTES, "256", LogConfig.DELETE_RETENTION_MS, "0");

    @ParameterizedTest
    @EnumSource(CleaningStep.class)
    void aCrashAtEachStepReopensAsTheOldOrTheNewLogNeverAMix(CleaningStep crashAt) throws Exception {
        List<StoredRecord> expectedAfter = cleanedTwin(tmp.resolve("twin"));
        for (long recoveryPoint : new long[] {0, -1}) {
            Path dir = tmp.resolve(crashAt + "-" + recoveryPoint);
            MappedPartitionLog log = TestLogs.open(dir, cfg, env, clock, 0, 0);
            writeOverwritesAcrossSegments(log);
            List<StoredRecord> before = StoredLog.records(StoredLog.read(log));
            long end = log.logEndOffset();
            LogCleaner cleaner = new LogCleaner(1024 * 1024, 0.9, step -> {
                if (step == crashAt) {
                    throw new SimulatedCrash(step);
                }
            });
            assertThatThrownBy(() -> cleaner.clean(log, 0, activeBase(log), clock.millis(), () -> false))
                    .isInstanceOf(SimulatedCrash.class);
            log.crashClose();

            MappedPartitionLog reopened = TestLogs.open(dir, cfg, env, clock, recoveryPoint < 0 ? end : 0, 0);
            try {
                List<StoredRecord> after = StoredLog.records(StoredLog.read(reopened));
                List<StoredRecord> expected = crashAt.compareTo(CleaningStep.RENAMED_TO_SWAP) < 0 ? before : expectedAfter;
                assertThat(after).as("log after a crash at %s", crashAt)
                        .usingElementComparator((a, b) -> a.sameAs(b) ? 0 : 1).containsExactlyElementsOf(expected);
                assertThat(reopened.logEndOffset()).isEqualTo(end);
                try (Stream<Path> files = Files.list(reopened.dir())) {
                    assertThat(files.map(p -> p.getFileName().toString()))
                            .noneMatch(n -> n.endsWith(".cleaned") || n.endsWith(".swap"));
                }
            } finally {
                reopened.close();
            }
        }
    }

    @Test
    void aReaderHoldingAnOldSegmentKeepsReadingItAcrossTheSwap() throws Exception {
        MappedPartitionLog log = TestLogs.open(tmp.resolve("reader"), cfg, env, clock, 0, 0);
        try {
            writeOverwritesAcrossSegments(log);
            try (LogReadResult held = log.read(0, Integer.MAX_VALUE, true)) {
                new LogCleaner(1024 * 1024, 0.9, CleaningHook.NONE).clean(log, 0, activeBase(log), clock.millis(),
                        () -> false);
                ByteBuffer buf = held.records();
                RecordBatchHeader h = new RecordBatchHeader();
                for (int p = buf.position(); p < buf.limit(); p += h.wrap(buf, p).sizeInBytes()) {
                    assertThat(RecordBatchValidator.validateBatch(buf, p, buf.limit() - p, Integer.MAX_VALUE, false))
                            .isEqualTo(ErrorCode.NONE);
                }
            }
            assertThat(log.segmentCount()).isEqualTo(2); // the cleaned group and the active segment
        } finally {
            log.close();
        }
    }

    @Test
    void aFollowerOfACompactedLeaderKeepsItsGapsInOneSegmentAcrossACrash() throws Exception {
        Path dir = tmp.resolve("follower");
        MappedPartitionLog follower = TestLogs.open(dir, cfg, env, clock, 0, 0);
        List<StoredRecord> stored;
        try {
            ByteBuffer batches = ByteBuffer.allocate(64 * 1024);
            for (long base : new long[] {0, 7, 8, 30, 31, 100}) {
                batches.put(RecordBatchBuilder.create(base, clock.millis())
                        .add(("k" + base).getBytes(StandardCharsets.UTF_8), new byte[10], clock.millis()).build());
            }
            batches.flip();
            assertThat(follower.appendAsFollower(batches).errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(follower.segmentCount()).as("gaps stay inside the segment of a compacted log").isEqualTo(1);
            assertThat(follower.logEndOffset()).isEqualTo(101);
            stored = StoredLog.records(StoredLog.read(follower));
        } finally {
            follower.crashClose();
        }
        MappedPartitionLog reopened = TestLogs.open(dir, cfg, env, clock, 0, 0); // validates every batch
        try {
            assertThat(reopened.logEndOffset()).isEqualTo(101);
            assertThat(StoredLog.records(StoredLog.read(reopened))).usingElementComparator((a, b) -> a.sameAs(b) ? 0 : 1)
                    .containsExactlyElementsOf(stored).hasSize(6);
        } finally {
            reopened.close();
        }
    }

    @Test
    void aCleanedLogNoLongerCompactedAfterACrashKeepsEveryRecord() throws Exception {
        Path dir = tmp.resolve("policy-change");
        MappedPartitionLog log = TestLogs.open(dir, cfg, env, clock, 0, 0);
        List<StoredRecord> cleaned;
        long recoveryPoint;
        try {
            writeOverwritesAcrossSegments(log);
            for (int i = 0; i < 3; i++) {
                log.append(RecordBatchBuilder.create(0, clock.millis())
                        .add(("late-" + i).getBytes(StandardCharsets.UTF_8), new byte[5], clock.millis()).build(), 0);
                log.roll();
            }
            new LogCleaner(1024 * 1024, 0.9, CleaningHook.NONE).clean(log, 0, activeBase(log), clock.millis(), () -> false);
            cleaned = StoredLog.records(StoredLog.read(log));
            recoveryPoint = log.recoveryPoint();
            assertThat(recoveryPoint).as("raised past the cleaned, forced segments").isEqualTo(log.logEndOffset());
        } finally {
            log.crashClose();
        }
        // Reopened as cleanup.policy=delete, from the recovery point the broker checkpointed: the cleaned
        // segments' gaps are below it and never judged as damaged offsets.
        LogConfig deletePolicy = TestLogs.config(LogConfig.CLEANUP_POLICY, "delete", LogConfig.SEGMENT_BYTES, "1048576");
        MappedPartitionLog reopened = TestLogs.open(dir, deletePolicy, env, clock, recoveryPoint, 0);
        try {
            assertThat(StoredLog.records(StoredLog.read(reopened))).usingElementComparator((a, b) -> a.sameAs(b) ? 0 : 1)
                    .containsExactlyElementsOf(cleaned);
        } finally {
            reopened.close();
        }
    }

    @Test
    void retentionDuringACleaningMakesTheLogRefuseTheSwapAndTheCleanedFilesGo() throws Exception {
        MappedPartitionLog log = TestLogs.open(tmp.resolve("raced"), cfg, env, clock, 0, 0);
        try {
            writeOverwritesAcrossSegments(log);
            long secondSegment = log.segmentBaseOffsets().get(1);
            LogCleaner cleaner = new LogCleaner(1024 * 1024, 0.9, step -> {
                if (step == CleaningStep.CLEANED_FORCED) {
                    log.deleteRecords(secondSegment); // DeleteRecords, then its segment deletion
                    log.deleteOldSegments(clock.millis());
                }
            });
            List<StoredRecord> expected = StoredLog.records(StoredLog.read(log)).stream()
                    .filter(r -> r.offset() >= secondSegment).toList();
            var result = cleaner.clean(log, 0, activeBase(log), clock.millis(), () -> false);
            assertThat(result.endOffset()).as("the checkpoint stays: nothing was deduplicated").isZero();
            assertThat(result.segmentsCleaned()).isZero();
            assertThat(StoredLog.records(StoredLog.read(log))).usingElementComparator((a, b) -> a.sameAs(b) ? 0 : 1)
                    .containsExactlyElementsOf(expected);
            try (Stream<Path> files = Files.list(log.dir())) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".cleaned"));
            }
        } finally {
            log.close();
        }
    }

    /** The same writes, cleaned to the end without a crash: what a completed swap must read as. */
    private List<StoredRecord> cleanedTwin(Path dir) throws Exception {
        MappedPartitionLog twin = TestLogs.open(dir, cfg, env, clock, 0, 0);
        try {
            writeOverwritesAcrossSegments(twin);
            new LogCleaner(1024 * 1024, 0.9, CleaningHook.NONE).clean(twin, 0, activeBase(twin), clock.millis(),
                    () -> false);
            List<StoredRecord> records = StoredLog.records(StoredLog.read(twin));
            assertThat(records.size()).as("the cleaning removed records").isLessThan((int) twin.logEndOffset());
            return records;
        } finally {
            twin.close();
        }
    }

    private static long activeBase(MappedPartitionLog log) {
        var segments = log.segmentsSnapshot();
        return segments.get(segments.size() - 1).baseOffset();
    }

    /** Four segments of keyed records, each key written many times, some tombstones, every codec; flushed. */
    private void writeOverwritesAcrossSegments(MappedPartitionLog log) throws IOException {
        Random rnd = new Random(42);
        for (int segment = 0; segment < 4; segment++) {
            for (int batch = 0; batch < 6; batch++) {
                RecordBatchBuilder b = RecordBatchBuilder.create(0, clock.millis()).compression(batch % 5);
                for (int r = 0; r < 4; r++) {
                    byte[] key = ("key-" + rnd.nextInt(7)).getBytes(StandardCharsets.UTF_8);
                    byte[] value = rnd.nextInt(10) == 0 ? null : ("v" + rnd.nextInt()).getBytes(StandardCharsets.UTF_8);
                    b.add(key, value, clock.millis(), "h");
                }
                assertThat(log.append(b.build(), 0).errorCode()).isEqualTo(ErrorCode.NONE);
            }
            log.roll();
        }
        log.flush();
    }
}
