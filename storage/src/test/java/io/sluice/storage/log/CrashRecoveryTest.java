package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.segment.SegmentEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.sluice.storage.log.TestLogs.batch;
import static io.sluice.storage.log.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash tests: the last segment is cut at every byte inside its last batches, or has a byte flipped;
 * recovery must keep exactly the valid prefix (whole batches before the damage) and nothing else.
 * A crash here is {@link MappedPartitionLog#crashClose()}: no flush, no index write, no trim; the
 * file keeps its reserved zero tail, as after a real crash.
 */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(300)
class CrashRecoveryTest {

    @TempDir
    Path tmp;

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final SegmentEnvironment env = TestLogs.env(16);
    final LogConfig cfg = config(LogConfig.INDEX_INTERVAL_BYTES, "200", LogConfig.SEGMENT_BYTES, "65536");

    /** What was appended: per batch its position in the segment, size, last offset and bytes. */
    record Written(List<Integer> positions, List<Integer> sizes, List<Long> nextOffsets, List<ByteBuffer> stored,
                   long recoveryPoint) {
    }

    private Written writeAndCrash(Path dir, int flushedBatches, int unflushedBatches) throws IOException {
        MappedPartitionLog log = TestLogs.open(dir, cfg, env, clock, 0, 0);
        List<Integer> positions = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        List<Long> next = new ArrayList<>();
        int position = 0;
        long rp = 0;
        for (int i = 0; i < flushedBatches + unflushedBatches; i++) {
            ByteBuffer b = batch(1 + i % 3, 40 + 7 * i, clock.millis() + i, i);
            AppendResult r = log.append(b, 1);
            positions.add(position);
            sizes.add(b.remaining());
            next.add(r.lastOffset() + 1);
            position += b.remaining();
            if (i == flushedBatches - 1) {
                log.flush();
                rp = log.recoveryPoint();
            }
        }
        List<ByteBuffer> stored = new ArrayList<>();
        try (LogReadResult all = log.read(0, Integer.MAX_VALUE, true)) {
            for (int i = 0; i < positions.size(); i++) {
                stored.add(copy(all.records().slice(positions.get(i), sizes.get(i))));
            }
        }
        log.crashClose();
        return new Written(positions, sizes, next, stored, rp);
    }

    private static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b.duplicate()).flip();
    }

    /** Opens the crashed log and checks it holds exactly the first {@code keptBatches} batches. */
    private void assertRecoversTo(Path dir, Written w, int keptBatches, String what) throws IOException {
        MappedPartitionLog log = TestLogs.open(dir, cfg, env, clock, w.recoveryPoint(), 0);
        try {
            long expectedEnd = keptBatches == 0 ? 0 : w.nextOffsets().get(keptBatches - 1);
            assertThat(log.logEndOffset()).as(what + ": log end offset").isEqualTo(expectedEnd);
            int expectedBytes = keptBatches == 0 ? 0 : w.positions().get(keptBatches - 1) + w.sizes().get(keptBatches - 1);
            assertThat(log.sizeInBytes()).as(what + ": size").isEqualTo(expectedBytes);
            if (keptBatches > 0) {
                try (LogReadResult all = log.read(0, Integer.MAX_VALUE, true)) {
                    for (int i = 0; i < keptBatches; i++) {
                        assertThat(all.records().slice(w.positions().get(i), w.sizes().get(i)))
                                .as(what + ": batch " + i).isEqualTo(w.stored().get(i));
                    }
                }
            }
            // The recovered log takes appends right after the kept prefix.
            AppendResult r = log.append(batch(1, 10, clock.millis(), 99), 1);
            assertThat(r.firstOffset()).as(what + ": next append").isEqualTo(expectedEnd);
        } finally {
            log.crashClose(); // no fsync: the files are restored before the next round anyway
        }
    }

    private static boolean allZeroFrom(ByteBuffer batch, int from) {
        for (int i = Math.max(0, from); i < batch.remaining(); i++) {
            if (batch.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static void restore(Path pristine, Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        } else {
            Files.createDirectories(dir);
        }
        try (Stream<Path> files = Files.list(pristine)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private Path pristineCopy(Path partitionDir) throws IOException {
        Path pristine = tmp.resolve("pristine");
        Files.createDirectories(pristine);
        restore(partitionDir, pristine);
        return pristine;
    }

    @Test
    void cutAtEveryByteOfTheLastBatchesKeepsExactlyTheWholeBatchesBeforeTheCut() throws IOException {
        Path dir = tmp.resolve("data");
        Written w = writeAndCrash(dir, 4, 4);
        Path partitionDir = dir.resolve(TestLogs.TP.dirName());
        Path pristine = pristineCopy(partitionDir);
        Path logFile = partitionDir.resolve("00000000000000000000.log");
        int from = w.positions().get(4);
        int end = w.positions().get(7) + w.sizes().get(7);
        for (int cut = from; cut <= end; cut++) {
            int kept = 0;
            while (kept < w.positions().size() && w.positions().get(kept) + w.sizes().get(kept) <= cut) {
                kept++;
            }
            // A file cut short (the tail never reached the disk) ...
            restore(pristine, partitionDir);
            try (FileChannel ch = FileChannel.open(logFile, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            assertRecoversTo(dir, w, kept, "truncated at " + cut);
            // ... and the same with the reserved zero tail still there (pages never written back).
            restore(pristine, partitionDir);
            try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "rw")) {
                f.seek(cut);
                f.write(new byte[end - cut + 64]);
            }
            // Zeroing bytes that were zero already (e.g. a record's trailing header count) changes nothing.
            int keptZeroed = kept;
            if (kept < w.positions().size() && allZeroFrom(w.stored().get(kept), cut - w.positions().get(kept))) {
                keptZeroed++;
            }
            assertRecoversTo(dir, w, keptZeroed, "zeroed from " + cut);
        }
    }

    @Test
    void flippedByteInTheUnflushedTailCutsTheLogAtTheBatchHoldingIt() throws IOException {
        Path dir = tmp.resolve("data");
        Written w = writeAndCrash(dir, 3, 3);
        Path partitionDir = dir.resolve(TestLogs.TP.dirName());
        Path pristine = pristineCopy(partitionDir);
        Path logFile = partitionDir.resolve("00000000000000000000.log");
        for (int batch = 3; batch < 6; batch++) {
            int start = w.positions().get(batch);
            for (int i = 0; i < w.sizes().get(batch); i++) {
                if (i >= RecordBatchDescriptor.PARTITION_LEADER_EPOCH_OFFSET
                        && i < RecordBatchDescriptor.PARTITION_LEADER_EPOCH_OFFSET + 4) {
                    continue; // the partition leader epoch is covered by no checksum, in Kafka neither
                }
                restore(pristine, partitionDir);
                try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "rw")) {
                    f.seek(start + i);
                    int b = f.read();
                    f.seek(start + i);
                    f.write(b ^ 0x10);
                }
                assertRecoversTo(dir, w, batch, "flipped byte " + i + " of batch " + batch);
            }
        }
    }

    @Test
    void crashWithSeveralUnflushedSegmentsRecoversAcrossThem() throws IOException {
        LogConfig small = config(LogConfig.SEGMENT_BYTES, "1024", LogConfig.INDEX_INTERVAL_BYTES, "100");
        Path dir = tmp.resolve("data");
        MappedPartitionLog log = TestLogs.open(dir, small, env, clock, 0, 0);
        for (int i = 0; i < 10; i++) {
            log.append(batch(1, 300, clock.millis(), i), 0);
        }
        log.flush();
        long rp = log.recoveryPoint();
        for (int i = 0; i < 10; i++) {
            log.append(batch(1, 300, clock.millis(), i), 0);
        }
        long leo = log.logEndOffset();
        int segments = log.segmentCount();
        log.crashClose();
        MappedPartitionLog recovered = TestLogs.open(dir, small, env, clock, rp, 0);
        try {
            assertThat(recovered.logEndOffset()).isEqualTo(leo);
            assertThat(recovered.segmentCount()).isEqualTo(segments);
            for (long o = 0; o < leo; o++) {
                try (LogReadResult r = recovered.read(o, 1, true)) {
                    assertThat(r.firstOffset()).isEqualTo(o);
                }
            }
        } finally {
            recovered.close();
        }
    }

    /**
     * The broker's shape of a kill -9: the default segment.bytes (1 GiB), whose active segment is mapped
     * whole (the file is extended to segment.bytes, sparse), a recovery point part-way through it, and
     * many batches past it. Every appended batch comes back byte for byte at its offset, the file is
     * trimmed back to its data and appends continue at the old end offset.
     */
    @Test
    void crashWithTheActiveSegmentMappedAtTheDefaultSegmentBytesKeepsEveryAppend() throws IOException {
        LogConfig defaults = config();
        assertThat(defaults.segmentBytes()).isEqualTo(1 << 30);
        Path dir = tmp.resolve("data");
        MappedPartitionLog log = TestLogs.open(dir, defaults, env, clock, 0, 0);
        List<ByteBuffer> appended = new ArrayList<>();
        List<Long> firstOffsets = new ArrayList<>();
        long rp = 0;
        int bytes = 0;
        for (int i = 0; i < 3000; i++) {
            ByteBuffer b = batch(1 + i % 7, 20 + i % 50, clock.millis(), i);
            bytes += b.remaining();
            appended.add(copy(b));
            firstOffsets.add(log.append(b, 1).firstOffset());
            if (i == 1000) {
                log.flush();
                rp = log.recoveryPoint();
            }
        }
        long leo = log.logEndOffset();
        List<ByteBuffer> stored = new ArrayList<>();
        try (LogReadResult all = log.read(0, Integer.MAX_VALUE, true)) {
            for (int p = 0, i = 0; i < appended.size(); i++) {
                stored.add(copy(all.records().slice(p, appended.get(i).remaining())));
                p += appended.get(i).remaining();
            }
        }
        log.crashClose();
        Path segment;
        try (Stream<Path> files = Files.walk(dir)) {
            segment = files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        assertThat(Files.size(segment)).as("crashed file extended by the whole-segment mapping")
                .isGreaterThan(bytes);

        MappedPartitionLog recovered = TestLogs.open(dir, defaults, env, clock, rp, 0);
        try {
            assertThat(recovered.logEndOffset()).isEqualTo(leo);
            assertThat(Files.size(segment)).as("trimmed to the data").isEqualTo(bytes);
            for (int i = 0; i < stored.size(); i++) {
                try (LogReadResult r = recovered.read(firstOffsets.get(i), stored.get(i).remaining(), true)) {
                    assertThat(r.firstOffset()).isEqualTo(firstOffsets.get(i));
                    assertThat(r.records().slice(0, stored.get(i).remaining())).as("batch %d", i)
                            .isEqualTo(stored.get(i));
                }
            }
            assertThat(recovered.append(batch(1, 10, clock.millis(), 1), 1).firstOffset())
                    .as("offsets continue").isEqualTo(leo);
        } finally {
            recovered.close();
        }
    }

    @Test
    void corruptBatchInAnEarlierUnflushedSegmentDropsTheLaterSegments() throws IOException {
        LogConfig small = config(LogConfig.SEGMENT_BYTES, "1024");
        Path dir = tmp.resolve("data");
        MappedPartitionLog log = TestLogs.open(dir, small, env, clock, 0, 0);
        for (int i = 0; i < 12; i++) {
            log.append(batch(1, 300, clock.millis(), i), 0);
        }
        List<Long> bases = log.segmentBaseOffsets();
        int batchSize = batch(1, 300, clock.millis(), 0).remaining();
        log.crashClose();
        assertThat(bases).hasSizeGreaterThan(3);
        long secondBase = bases.get(1);
        Path partitionDir = dir.resolve(TestLogs.TP.dirName());
        Path second = partitionDir.resolve(String.format("%020d.log", secondBase));
        try (RandomAccessFile f = new RandomAccessFile(second.toFile(), "rw")) {
            f.seek(batchSize + 100); // inside the second batch of the second segment
            int b = f.read();
            f.seek(batchSize + 100);
            f.write(b ^ 0x55);
        }
        MappedPartitionLog recovered = TestLogs.open(dir, small, env, clock, 0, 0);
        try {
            assertThat(recovered.logEndOffset()).isEqualTo(secondBase + 1);
            assertThat(recovered.segmentCount()).isEqualTo(2);
        } finally {
            recovered.close();
        }
    }

    @Test
    void corruptIndexFilesAreRebuiltNotTrusted() throws IOException {
        LogConfig small = config(LogConfig.SEGMENT_BYTES, "4096", LogConfig.INDEX_INTERVAL_BYTES, "100");
        Path dir = tmp.resolve("data");
        MappedPartitionLog log = TestLogs.open(dir, small, env, clock, 0, 0);
        for (int i = 0; i < 30; i++) {
            log.append(batch(1, 300, clock.millis() + i * 10L, i), 0);
        }
        long leo = log.logEndOffset();
        log.close();
        Path partitionDir = dir.resolve(TestLogs.TP.dirName());
        Path index0 = partitionDir.resolve("00000000000000000000.index");
        long goodSize = Files.size(index0);
        assertThat(goodSize).isGreaterThan(16);
        byte[] good = Files.readAllBytes(index0);
        // Garbage that passes the cheap shape checks (whole, increasing entries) but points nowhere.
        ByteBuffer bad = ByteBuffer.allocate(good.length);
        for (int i = 0; i < good.length / 8; i++) {
            bad.putInt(i + 1).putInt(7 + i * 13);
        }
        Files.write(index0, bad.array());
        // And a torn time index of the last segment.
        Path[] timeIndexes;
        try (Stream<Path> files = Files.list(partitionDir)) {
            timeIndexes = files.filter(p -> p.toString().endsWith(".timeindex")).sorted().toArray(Path[]::new);
        }
        Path lastTimeIndex = timeIndexes[timeIndexes.length - 1];
        Files.write(lastTimeIndex, new byte[] {1, 2, 3});
        MappedPartitionLog reopened = TestLogs.open(dir, small, env, clock, leo, 0);
        try {
            assertThat(reopened.logEndOffset()).isEqualTo(leo);
            for (long o = 0; o < leo; o++) {
                try (LogReadResult r = reopened.read(o, 1, true)) {
                    assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
                    assertThat(new RecordBatchHeader().wrap(r.records(), 0).baseOffset()).isEqualTo(o);
                }
            }
            assertThat(reopened.offsetForTimestamp(clock.millis() + 205).offset()).isEqualTo(21);
            assertThat(Files.readAllBytes(index0)).isEqualTo(good); // rebuilt, identical to the original
            assertThat(Files.size(lastTimeIndex) % 12).isZero();
        } finally {
            reopened.close();
        }
    }

    /**
     * The seeded model's case (seed 3115643721705): DeleteRecords moves the log start offset to 10,
     * more appends and a roll follow, then truncateTo(10) leaves only records below the log start
     * offset, none of them flushed. A crash that tears them must not bring the log back at end offset
     * 0: the next append would reuse offsets that consumers have already read.
     */
    @Test
    void truncateToTheLogStartThenCrashKeepsOffsetsContinuing() throws IOException {
        Path dir = tmp.resolve("data");
        MappedPartitionLog log = TestLogs.open(dir, cfg, env, clock, 0, 0);
        appendBatchesOfFiveRecords(log, 3);
        assertThat(log.deleteRecords(10).errorCode()).isEqualTo(ErrorCode.NONE);
        appendBatchesOfFiveRecords(log, 2);
        log.roll();
        appendBatchesOfFiveRecords(log, 1);
        assertThat(log.truncateTo(10)).isEqualTo(10);
        assertThat(log.logStartOffset()).isEqualTo(10);
        crashTearingTheFirstSegment(log, dir);

        assertRestartsEmptyAt(dir, 10);
    }

    /** DeleteRecords up to the end leaves the active segment holding only records below the start. */
    @Test
    void deleteRecordsToTheEndThenCrashKeepsOffsetsContinuing() throws IOException {
        Path dir = tmp.resolve("data");
        MappedPartitionLog log = TestLogs.open(dir, cfg, env, clock, 0, 0);
        appendBatchesOfFiveRecords(log, 3);
        assertThat(log.deleteRecords(15).errorCode()).isEqualTo(ErrorCode.NONE);
        crashTearingTheFirstSegment(log, dir);

        assertRestartsEmptyAt(dir, 15);
    }

    /** Retention deleting every segment first rolls an empty one at the end offset: it survives the crash. */
    @Test
    void retentionOfEverySegmentThenCrashKeepsOffsetsContinuing() throws IOException {
        Path dir = tmp.resolve("data");
        LogConfig expiring = cfg.overriddenBy(Map.of(LogConfig.RETENTION_MS, "1000"));
        MappedPartitionLog log = TestLogs.open(dir, expiring, env, clock, 0, 0);
        appendBatchesOfFiveRecords(log, 3);
        clock.advance(5000);
        assertThat(log.deleteOldSegments(clock.millis())).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(15);
        log.crashClose();

        assertRestartsEmptyAt(dir, 15);
    }

    private void appendBatchesOfFiveRecords(MappedPartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            assertThat(log.append(batch(5, 100, clock.millis(), i), 1).errorCode()).isEqualTo(ErrorCode.NONE);
        }
    }

    /** Crashes with nothing flushed and loses all but the first bytes of the first segment's first batch. */
    private static void crashTearingTheFirstSegment(MappedPartitionLog log, Path dir) throws IOException {
        assertThat(log.recoveryPoint()).isZero();
        log.crashClose();
        Path first = dir.resolve(TestLogs.TP.dirName()).resolve("00000000000000000000.log");
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.truncate(RecordBatchDescriptor.MAGIC_OFFSET);
        }
    }

    /** Reopens with the checkpointed log start offset and expects an empty log continuing at it. */
    private void assertRestartsEmptyAt(Path dir, long logStartOffset) throws IOException {
        MappedPartitionLog recovered = TestLogs.open(dir, cfg, env, clock, 0, logStartOffset);
        try {
            assertThat(recovered.logStartOffset()).as("log start offset").isEqualTo(logStartOffset);
            assertThat(recovered.logEndOffset()).as("log end offset").isEqualTo(logStartOffset);
            assertThat(recovered.segmentBaseOffsets()).containsExactly(logStartOffset);
            try (LogReadResult below = recovered.read(logStartOffset - 1, 10_000, true)) {
                assertThat(below.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
            }
            assertThat(recovered.append(batch(1, 10, clock.millis(), 99), 1).firstOffset())
                    .as("offsets continue").isEqualTo(logStartOffset);
        } finally {
            recovered.close();
        }
    }

    @Test
    void cleanShutdownReopensWithoutValidatingAnything() throws IOException {
        Path dir = tmp.resolve("data");
        MappedPartitionLog log = TestLogs.open(dir, cfg, env, clock, 0, 0);
        for (int i = 0; i < 50; i++) {
            log.append(batch(2, 100, clock.millis(), i), 0);
        }
        long leo = log.logEndOffset();
        log.close();
        assertThat(log.recoveryPoint()).isEqualTo(leo);
        // A flipped byte below the recovery point is not looked at: proof that nothing before it is re-read.
        Path logFile = dir.resolve(TestLogs.TP.dirName()).resolve("00000000000000000000.log");
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "rw")) {
            f.seek(100);
            f.write(0x7f);
        }
        MappedPartitionLog reopened = TestLogs.open(dir, cfg, env, clock, leo, 0);
        try {
            assertThat(reopened.logEndOffset()).isEqualTo(leo);
        } finally {
            reopened.close();
        }
    }
}
