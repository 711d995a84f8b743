package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.segment.MappingCache;
import io.sluice.storage.segment.SegmentEnvironment;
import io.sluice.storage.segment.SpaceReserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.sluice.storage.log.TestLogs.batch;
import static io.sluice.storage.log.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ResourceLeakExtension.class)
@Timeout(60)
class PartitionLogTest {

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    SegmentEnvironment env = TestLogs.env(64);
    final List<MappedPartitionLog> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        open.clear();
    }

    @AfterEach
    void closeLogs() {
        open.forEach(MappedPartitionLog::close);
    }

    MappedPartitionLog log(LogConfig cfg) throws IOException {
        return log(cfg, 0, 0);
    }

    MappedPartitionLog log(LogConfig cfg, long rp, long lso) throws IOException {
        MappedPartitionLog l = TestLogs.open(dir, cfg, env, clock, rp, lso);
        open.add(l);
        return l;
    }

    long now() {
        return clock.millis();
    }

    @Test
    void aFlushTellsItsFsyncTimeAndTheActiveSegmentShowsWhatIsReservedAheadOfTheWriter() throws IOException {
        List<Long> flushNanos = new ArrayList<>();
        env = new SegmentEnvironment(new MappingCache(64), SpaceReserver.detect(), 4096, 64 * 1024, flushNanos::add);
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        assertThat(log.append(batch(5, 100, now(), 1), 0).errorCode()).isEqualTo(ErrorCode.NONE);
        long written = log.sizeInBytes();
        assertThat(log.reservedAheadBytes()).as("the first 4 KiB step, less what is written")
                .isEqualTo(4096 - written);
        assertThat(flushNanos).isEmpty();
        log.flush();
        assertThat(flushNanos).hasSize(1);
        assertThat(flushNanos.get(0)).isPositive();
        assertThat(log.append(batch(5, 5000, now(), 2), 0).errorCode()).isEqualTo(ErrorCode.NONE);
        assertThat(log.reservedAheadBytes()).as("grown in doubling steps to cover 25 KB")
                .isEqualTo(4096 + 8192 + 16384 - log.sizeInBytes());
    }

    @Test
    void bytesFromCountsFromTheBatchHoldingTheOffsetToTheLogEndAcrossSegments() throws IOException {
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ByteBuffer b = batch(5, 100 + i, now(), 1); // 5 records a batch: offsets 5i..5i+4
            sizes.add(b.remaining());
            assertThat(log.append(b, 0).errorCode()).isEqualTo(ErrorCode.NONE);
            if (i % 2 == 1) {
                log.roll(); // three segments of two batches
            }
        }
        assertThat(log.segmentCount()).isGreaterThanOrEqualTo(3);
        long total = log.sizeInBytes();
        assertThat(log.bytesFrom(0)).isEqualTo(total);
        assertThat(log.bytesFrom(5)).isEqualTo(total - sizes.get(0));
        assertThat(log.bytesFrom(7)).as("mid-batch: from that batch's start").isEqualTo(total - sizes.get(0));
        assertThat(log.bytesFrom(10)).as("a later segment").isEqualTo(total - sizes.get(0) - sizes.get(1));
        assertThat(log.bytesFrom(25)).isEqualTo((long) sizes.get(5));
        assertThat(log.bytesFrom(log.logEndOffset())).isZero();
        assertThat(log.bytesFrom(log.logEndOffset() + 10)).isZero();
    }

    @Test
    void appendAssignsOffsetsAndReadReturnsTheStoredBytes() throws IOException {
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        ByteBuffer b1 = batch(5, 100, now(), 1);
        ByteBuffer b2 = batch(5, 100, now(), 2);
        AppendResult r1 = log.append(b1, 3);
        AppendResult r2 = log.append(b2, 3);
        assertThat(r1.errorCode()).isEqualTo(ErrorCode.NONE);
        assertThat(r1.firstOffset()).isZero();
        assertThat(r1.lastOffset()).isEqualTo(4);
        assertThat(r1.logAppendTimeMs()).isEqualTo(-1);
        assertThat(r2.firstOffset()).isEqualTo(5);
        assertThat(r2.lastOffset()).isEqualTo(9);
        assertThat(log.logEndOffset()).isEqualTo(10);
        assertThat(b1.position()).isZero();

        try (LogReadResult read = log.read(7, 1 << 20, false)) {
            assertThat(read.errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(read.firstOffset()).isEqualTo(5);
            assertThat(read.nextOffset()).isEqualTo(10);
            ByteBuffer bytes = read.records();
            assertThat(bytes.isReadOnly()).isTrue();
            RecordBatchHeader h = new RecordBatchHeader().wrap(bytes, 0);
            assertThat(h.baseOffset()).isEqualTo(5);
            assertThat(h.partitionLeaderEpoch()).isEqualTo(3);
            assertThat(h.sizeInBytes()).isEqualTo(bytes.remaining());
            assertThat(RecordBatchHeader.computeCrc(bytes, 0, h.sizeInBytes())).isEqualTo(h.crc());
            // Everything after the base offset and epoch is stored unchanged.
            assertThat(bytes.slice(RecordBatchDescriptor.MAGIC_OFFSET, h.sizeInBytes() - RecordBatchDescriptor.MAGIC_OFFSET))
                    .isEqualTo(b2.slice(RecordBatchDescriptor.MAGIC_OFFSET, b2.remaining() - RecordBatchDescriptor.MAGIC_OFFSET));
        }
        try (LogReadResult atEnd = log.read(10, 1000, true)) {
            assertThat(atEnd.errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(atEnd.sizeInBytes()).isZero();
        }
        try (LogReadResult beyond = log.read(11, 1000, true)) {
            assertThat(beyond.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        }
        try (LogReadResult below = log.read(-1, 1000, true)) {
            assertThat(below.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        }
    }

    @Test
    void readReturnsWholeBatchesUpToMaxBytesAndOneOversizedBatchOnlyWithMinOneMessage() throws IOException {
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        int size = batch(1, 200, now(), 0).remaining();
        for (int i = 0; i < 4; i++) {
            log.append(batch(1, 200, now(), i), 0);
        }
        try (LogReadResult r = log.read(0, size * 2 + 10, false)) {
            assertThat(r.sizeInBytes()).isEqualTo(size * 2);
            assertThat(r.nextOffset()).isEqualTo(2);
        }
        try (LogReadResult r = log.read(1, size - 1, false)) {
            assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(r.sizeInBytes()).isZero();
        }
        try (LogReadResult r = log.read(1, size - 1, true)) {
            assertThat(r.sizeInBytes()).isEqualTo(size);
            assertThat(r.firstOffset()).isEqualTo(1);
        }
    }

    @Test
    void readStopsBeforeTheGivenBoundLikeAFetchAtTheHighWatermark() throws IOException {
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        for (int i = 0; i < 4; i++) {
            log.append(batch(2, 50, now(), i), 0);
        }
        try (LogReadResult r = log.read(0, 1 << 20, true, 4)) {
            assertThat(r.nextOffset()).isEqualTo(4);
            assertThat(new RecordBatchHeader().wrap(r.records(), 0).baseOffset()).isZero();
        }
        try (LogReadResult r = log.read(4, 1 << 20, true, 4)) {
            assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(r.sizeInBytes()).isZero();
        }
        try (LogReadResult r = log.read(9, 1 << 20, true, 4)) {
            assertThat(r.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        }
    }

    @Test
    void rollsOnSegmentBytesNamesSegmentsByBaseOffsetAndTrimsRolledSegments() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "4096"));
        int size = batch(2, 400, now(), 0).remaining();
        for (int i = 0; i < 20; i++) {
            assertThat(log.append(batch(2, 400, now(), i), 0).errorCode()).isEqualTo(ErrorCode.NONE);
        }
        int perSegment = 4096 / size;
        assertThat(log.segmentCount()).isEqualTo((20 + perSegment - 1) / perSegment);
        assertThat(Files.exists(log.dir().resolve("00000000000000000000.log"))).isTrue();
        long secondBase = 2L * perSegment;
        Path second = log.dir().resolve(String.format("%020d.log", secondBase));
        assertThat(second).exists();
        assertThat(Files.size(second)).isEqualTo((long) perSegment * size);
        assertThat(log.dir().resolve(String.format("%020d.index", secondBase))).exists();
        assertThat(log.dir().resolve(String.format("%020d.timeindex", secondBase))).exists();
        // Every offset is still readable across segments.
        for (long o = 0; o < 40; o++) {
            try (LogReadResult r = log.read(o, 100_000, true)) {
                assertThat(new RecordBatchHeader().wrap(r.records(), 0).lastOffset()).isGreaterThanOrEqualTo(o);
                assertThat(r.firstOffset()).isLessThanOrEqualTo(o);
            }
        }
    }

    @Test
    void rollsOnSegmentMs() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.SEGMENT_MS, "1000"));
        log.append(batch(1, 10, now(), 0), 0);
        clock.advance(500);
        log.append(batch(1, 10, now(), 0), 0);
        assertThat(log.segmentCount()).isEqualTo(1);
        clock.advance(501);
        log.append(batch(1, 10, now(), 0), 0);
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L);
    }

    @Test
    void offsetIndexIsSparseByIndexIntervalBytes() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.INDEX_INTERVAL_BYTES, "1000"));
        int size = batch(1, 300, now(), 0).remaining();
        for (int i = 0; i < 30; i++) {
            log.append(batch(1, 300, now(), i), 0);
        }
        log.roll();
        long indexBytes = Files.size(log.dir().resolve("00000000000000000000.index"));
        int batchesPerEntry = 1000 / size + 1; // an entry once more than 1000 bytes went by
        assertThat(indexBytes / 8).isEqualTo((30 - 1) / batchesPerEntry);
        for (long o = 0; o < 30; o++) {
            try (LogReadResult r = log.read(o, size, false)) {
                assertThat(r.firstOffset()).isEqualTo(o);
            }
        }
    }

    @Test
    void offsetForTimestampFollowsListOffsetsSemantics() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "2048", LogConfig.INDEX_INTERVAL_BYTES, "100"));
        long t0 = now();
        for (int i = 0; i < 10; i++) {
            log.append(batch(3, 200, t0 + i * 100, i), i < 5 ? 1 : 2);
        }
        assertThat(log.segmentCount()).isGreaterThan(1);
        TimestampOffset byTime = log.offsetForTimestamp(t0 + 450);
        assertThat(byTime.offset()).isEqualTo(15); // first record with timestamp >= t0+450: the first of batch #5
        assertThat(byTime.timestamp()).isEqualTo(t0 + 500);
        assertThat(byTime.leaderEpoch()).isEqualTo(2);
        assertThat(log.offsetForTimestamp(t0).offset()).isZero();
        assertThat(log.offsetForTimestamp(t0 + 10_000).offset()).isEqualTo(-1);
        TimestampOffset earliest = log.offsetForTimestamp(TimestampOffset.EARLIEST_TIMESTAMP);
        assertThat(earliest.offset()).isZero();
        assertThat(earliest.leaderEpoch()).isEqualTo(1);
        TimestampOffset latest = log.offsetForTimestamp(TimestampOffset.LATEST_TIMESTAMP);
        assertThat(latest.offset()).isEqualTo(30);
        assertThat(latest.leaderEpoch()).isEqualTo(2);
        TimestampOffset max = log.offsetForTimestamp(TimestampOffset.MAX_TIMESTAMP);
        // KIP-734: the first record holding the largest timestamp (all three of batch #9 hold it).
        assertThat(max.offset()).isEqualTo(27);
        assertThat(max.timestamp()).isEqualTo(t0 + 900);
    }

    @Test
    void logAppendTimeOverwritesMaxTimestampAndKeepsTheCrcValid() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
        AppendResult r = log.append(batch(3, 50, 12345L, 0), 0);
        assertThat(r.logAppendTimeMs()).isEqualTo(now());
        try (LogReadResult read = log.read(0, 10_000, true)) {
            RecordBatchHeader h = new RecordBatchHeader().wrap(read.records(), 0);
            assertThat(h.isLogAppendTime()).isTrue();
            assertThat(h.maxTimestamp()).isEqualTo(now());
            assertThat(RecordBatchHeader.computeCrc(read.records(), 0, h.sizeInBytes())).isEqualTo(h.crc());
        }
    }

    @Test
    void theStoredHeaderCarriesTheRecordsTrueMaxTimestampAndRetentionKeepsFreshRecords() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.RETENTION_MS, Long.toString(24 * 3_600_000L)));
        // librdkafka's wrong header: max timestamp 0, records at current times.
        ByteBuffer batch = RecordBatchBuilder.create(0, now() - 20).add(null, "a".getBytes(), now() - 20)
                .add(null, "b".getBytes(), now() - 5).add(null, "c".getBytes(), now() - 10).headerMaxTimestamp(0).build();
        assertThat(log.append(batch, 0).errorCode()).isEqualTo(ErrorCode.NONE);
        assertThat(batch.getLong(RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET)).as("the request is not modified").isZero();
        try (LogReadResult read = log.read(0, 10_000, true)) {
            RecordBatchHeader h = new RecordBatchHeader().wrap(read.records(), 0);
            assertThat(h.maxTimestamp()).isEqualTo(now() - 5);
            assertThat(RecordBatchHeader.computeCrc(read.records(), 0, h.sizeInBytes())).isEqualTo(h.crc());
            // Nothing but the offsets, epoch, max timestamp and CRC differs from what was sent.
            ByteBuffer stored = read.records();
            for (int i = RecordBatchDescriptor.ATTRIBUTES_OFFSET; i < h.sizeInBytes(); i++) {
                if (i < RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET || i >= RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET + 8) {
                    assertThat(stored.get(i)).as("byte %d", i).isEqualTo(batch.get(i));
                }
            }
        }
        assertThat(log.deleteOldSegments(now())).isZero();
        assertThat(log.logStartOffset()).isZero();
        TimestampOffset max = log.offsetForTimestamp(TimestampOffset.MAX_TIMESTAMP);
        assertThat(max.offset()).isEqualTo(1);
        assertThat(max.timestamp()).isEqualTo(now() - 5);
        TimestampOffset byTime = log.offsetForTimestamp(now() - 12);
        assertThat(byTime.offset()).isEqualTo(1);
        assertThat(byTime.timestamp()).isEqualTo(now() - 5);
        assertThat(log.offsetForTimestamp(now() - 20).offset()).isZero();
    }

    @Test
    void aProducerThatWritesTheRightHeaderGetsItsBatchStoredByteForByte() throws IOException {
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        ByteBuffer batch = RecordBatchBuilder.create(0, now()).compression(3).add(null, new byte[300], now())
                .add(null, new byte[300], now() - 3).build();
        long crc = new RecordBatchHeader().wrap(batch, 0).crc();
        assertThat(log.append(batch, 0).errorCode()).isEqualTo(ErrorCode.NONE);
        try (LogReadResult read = log.read(0, 10_000, true)) {
            assertThat(new RecordBatchHeader().wrap(read.records(), 0).crc()).isEqualTo(crc);
        }
    }

    @Test
    void recordFaultsRefuseTheBatchAndWriteNothing() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.CLEANUP_POLICY, "compact"));
        AppendResult keyless = log.append(RecordBatchBuilder.create(0, now()).add(null, "v".getBytes(), now()).build(), 0);
        assertThat(keyless.errorCode()).isEqualTo(ErrorCode.INVALID_RECORD);
        assertThat(keyless.errorMessage()).contains("without a key");
        AppendResult future = log.append(RecordBatchBuilder.create(0, now()).add("k".getBytes(), null, now() + 3_600_001L)
                .build(), 0);
        assertThat(future.errorCode()).isEqualTo(ErrorCode.INVALID_TIMESTAMP);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void reopenedLogContinuesOffsetsAndKeepsData() throws IOException {
        LogConfig cfg = config(LogConfig.SEGMENT_BYTES, "4096");
        MappedPartitionLog log = log(cfg);
        for (int i = 0; i < 10; i++) {
            log.append(batch(2, 500, now(), i), 0);
        }
        long leo = log.logEndOffset();
        log.close();
        open.remove(log);
        MappedPartitionLog reopened = log(cfg, leo, 0);
        assertThat(reopened.logEndOffset()).isEqualTo(leo);
        assertThat(reopened.append(batch(1, 10, now(), 0), 0).firstOffset()).isEqualTo(leo);
        try (LogReadResult r = reopened.read(5, 100_000, true)) {
            assertThat(r.firstOffset()).isEqualTo(4);
        }
    }

    @Test
    void deleteRecordsMovesLogStartOffsetAndDropsSegmentsBelowIt() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "2048"));
        for (int i = 0; i < 20; i++) {
            log.append(batch(1, 500, now(), i), 0);
        }
        int before = log.segmentCount();
        DeleteRecordsResult r = log.deleteRecords(11);
        assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
        assertThat(r.lowWatermark()).isEqualTo(11);
        assertThat(log.logStartOffset()).isEqualTo(11);
        assertThat(log.segmentCount()).isLessThan(before);
        assertThat(log.segmentBaseOffsets().get(0)).isLessThanOrEqualTo(11);
        try (LogReadResult below = log.read(10, 10_000, true)) {
            assertThat(below.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        }
        try (LogReadResult at = log.read(11, 10_000, true)) {
            assertThat(at.firstOffset()).isEqualTo(11);
        }
        assertThat(log.deleteRecords(21).errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(log.deleteRecords(5).lowWatermark()).isEqualTo(11);
        assertThat(log.offsetForTimestamp(TimestampOffset.EARLIEST_TIMESTAMP).offset()).isEqualTo(11);
    }

    @Test
    void truncateToRemovesTheSuffixAndItsEpochs() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "2048"));
        for (int i = 0; i < 20; i++) {
            log.append(batch(2, 300, now(), i), i < 10 ? 1 : 2);
        }
        assertThat(log.latestEpoch()).isEqualTo(2);
        assertThat(log.truncateTo(14)).isEqualTo(14);
        assertThat(log.logEndOffset()).isEqualTo(14);
        assertThat(log.latestEpoch()).isEqualTo(1);
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 14));
        try (LogReadResult r = log.read(14, 1000, true)) {
            assertThat(r.sizeInBytes()).isZero();
        }
        assertThat(log.append(batch(2, 300, now(), 99), 3).firstOffset()).isEqualTo(14);
        try (LogReadResult r = log.read(14, 100_000, true)) {
            RecordBatchHeader h = new RecordBatchHeader().wrap(r.records(), 0);
            assertThat(h.baseOffset()).isEqualTo(14);
            assertThat(h.partitionLeaderEpoch()).isEqualTo(3);
        }
        assertThat(log.truncateTo(100)).isEqualTo(16);
        // Below the first segment: the log restarts empty there.
        log.deleteRecords(16);
        assertThat(log.truncateTo(2)).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(log.append(batch(1, 10, now(), 0), 4).firstOffset()).isEqualTo(2);
    }

    @Test
    void leaderEpochCacheAnswersOffsetForLeaderEpochAndSurvivesRestart() throws IOException {
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        log.append(batch(10, 10, now(), 0), 1);
        log.assignEpochStartOffset(3, 10);
        log.append(batch(5, 10, now(), 0), 3);
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 10));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(1, 10));
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 15));
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 0));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(log.dir().resolve(LeaderEpochCache.FILE_NAME)).content().isEqualTo("0\n2\n1 0\n3 10\n");
        log.close();
        open.remove(log);
        MappedPartitionLog reopened = log(LogConfig.DEFAULTS, 15, 0);
        assertThat(reopened.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 10));
        assertThat(reopened.latestEpoch()).isEqualTo(3);
    }

    @Test
    void scanBatchHeadersExposesIdempotentProducerFields() throws IOException {
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        for (int i = 0; i < 3; i++) {
            ByteBuffer b = RecordBatchBuilder.create(0, now()).producer(42L, (short) 7, i * 4)
                    .add(null, new byte[10], now()).add(null, new byte[10], now())
                    .add(null, new byte[10], now()).add(null, new byte[10], now()).build();
            log.append(b, 0);
        }
        List<String> seen = new ArrayList<>();
        log.scanBatchHeaders(4, h -> {
            seen.add(h.producerId() + "/" + h.producerEpoch() + "/" + h.baseSequence() + "/" + h.lastOffsetDelta()
                    + "/" + h.baseOffset());
            return true;
        });
        assertThat(seen).containsExactly("42/7/4/3/4", "42/7/8/3/8");
    }

    @Test
    void followerAppendKeepsTheLeadersOffsetsAndEpochs() throws IOException {
        MappedPartitionLog log = log(LogConfig.DEFAULTS);
        ByteBuffer a = RecordBatchBuilder.create(0, now()).partitionLeaderEpoch(5).add(null, new byte[5], now())
                .add(null, new byte[5], now()).build();
        ByteBuffer b = RecordBatchBuilder.create(2, now()).partitionLeaderEpoch(6).add(null, new byte[5], now()).build();
        ByteBuffer both = ByteBuffer.allocate(a.remaining() + b.remaining()).put(a).put(b).flip();
        AppendResult r = log.appendAsFollower(both);
        assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
        assertThat(r.firstOffset()).isZero();
        assertThat(r.lastOffset()).isEqualTo(2);
        assertThat(log.epochEntries()).containsEntry(5, 0L).containsEntry(6, 2L);
        assertThat(log.appendAsFollower(b.rewind()).errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void readViewStaysValidWhileTheMappingBoundEvictsItsSegment() throws IOException {
        env = TestLogs.env(1);
        MappedPartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "1024"));
        for (int i = 0; i < 10; i++) {
            log.append(batch(1, 600, now(), i), 0);
        }
        assertThat(log.segmentCount()).isEqualTo(10);
        LogReadResult held = log.read(0, 10_000, true);
        ByteBuffer copy = ByteBuffer.allocate(held.sizeInBytes()).put(held.records().duplicate()).flip();
        for (long o = 1; o < 10; o++) {
            try (LogReadResult r = log.read(o, 10_000, true)) {
                assertThat(r.firstOffset()).isEqualTo(o);
            }
        }
        assertThat(env.mappingCache().size()).isLessThanOrEqualTo(1);
        assertThat(env.mappingCache().evictions()).isGreaterThan(0);
        assertThat(held.records()).isEqualTo(copy); // still mapped: the lease kept it
        held.close();
    }

    @Test
    void partitionDirHoldsOnlyExpectedFiles() throws IOException {
        MappedPartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "1024"));
        for (int i = 0; i < 3; i++) {
            log.append(batch(1, 600, now(), i), 0);
        }
        try (Stream<Path> files = Files.list(log.dir())) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("\\d{20}\\.(log|index|timeindex)")
                    || n.equals(LeaderEpochCache.FILE_NAME));
        }
    }
}
