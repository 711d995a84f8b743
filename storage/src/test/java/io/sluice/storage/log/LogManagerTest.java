package io.sluice.storage.log;

import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.StorageException;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.segment.MappedRegion;
import io.sluice.storage.segment.SpaceReserver;
import io.sluice.storage.segment.ZeroFillSpaceReserver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.sluice.storage.log.TestLogs.batch;
import static io.sluice.storage.log.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(ResourceLeakExtension.class)
@Timeout(120)
class LogManagerTest {

    @TempDir
    Path tmp;

    final ManualClock clock = new ManualClock(1_700_000_000_000L);

    /** Retention is tested here, with the cleaner off (LogCleanerManagerTest tests it). */
    static final CleanerConfig CLEANER_OFF =
            CleanerConfig.fromBrokerProperties(Map.of(CleanerConfig.LOG_CLEANER_ENABLE, "false"));

    LogManagerConfig managerConfig(Path... dirs) {
        return new LogManagerConfig(List.of(dirs), config(LogConfig.SEGMENT_BYTES, "4096"), 300_000L, Long.MAX_VALUE,
                60_000L, 60_000L, 2, 64, 4096, 64 * 1024, CLEANER_OFF);
    }

    LogManager start(LogManagerConfig cfg) {
        return LogManager.start(cfg, clock, topic -> null);
    }

    static TopicPartitionId tp(int i) {
        return new TopicPartitionId("topic-" + (i % 3), i);
    }

    @Test
    void opensEveryPartitionAtStartAndCheckpointsRecoveryPointsAndStartOffsets() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        LogManagerConfig cfg = managerConfig(a, b);
        try (LogManager manager = start(cfg)) {
            for (int i = 0; i < 20; i++) {
                PartitionLog log = manager.getOrCreate(tp(i), cfg.defaultLogConfig());
                for (int j = 0; j <= i; j++) {
                    assertThat(log.append(batch(2, 300, clock.millis(), j), 0).errorCode()).isEqualTo(ErrorCode.NONE);
                }
                log.deleteRecords(1);
            }
            assertThat(manager.getOrCreate(tp(3), cfg.defaultLogConfig())).isSameAs(manager.get(tp(3)).orElseThrow());
        }
        // Partitions are spread over both dirs; each dir has Kafka's checkpoint files.
        try (var sa = Files.list(a); var sb = Files.list(b)) {
            assertThat(sa.filter(Files::isDirectory).count() + sb.filter(Files::isDirectory).count()).isEqualTo(20);
        }
        List<String> startOffsets = new ArrayList<>();
        for (Path dir : List.of(a, b)) {
            List<String> lines = Files.readAllLines(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT));
            assertThat(lines.get(0)).isEqualTo("0");
            assertThat(lines).hasSize(2 + Integer.parseInt(lines.get(1)));
            assertThat(Integer.parseInt(lines.get(1))).isEqualTo(10);
            startOffsets.addAll(Files.readAllLines(dir.resolve(LogManager.LOG_START_OFFSET_CHECKPOINT)));
        }
        assertThat(startOffsets).contains("topic-0 0 1", "topic-1 19 1");
        try (LogManager reopened = start(cfg)) {
            assertThat(reopened.logs()).hasSize(20);
            for (int i = 0; i < 20; i++) {
                PartitionLog log = reopened.get(tp(i)).orElseThrow();
                assertThat(log.logEndOffset()).isEqualTo(2L * (i + 1));
                assertThat(log.recoveryPoint()).isEqualTo(log.logEndOffset());
                assertThat(log.logStartOffset()).isEqualTo(1);
            }
            assertThat(reopened.loadFailures()).isEmpty();
        }
    }

    @Test
    void anUnreadablePartitionDirIsReportedByNameAndTheOthersOpen() throws IOException {
        Path a = tmp.resolve("a");
        LogManagerConfig cfg = managerConfig(a);
        try (LogManager manager = start(cfg)) {
            for (int i = 0; i < 4; i++) {
                manager.getOrCreate(tp(i), cfg.defaultLogConfig()).append(batch(1, 10, clock.millis(), i), 0);
            }
        }
        Path broken = a.resolve(tp(2).dirName());
        Files.writeString(broken.resolve("garbage.log"), "not a segment");
        Files.createDirectories(a.resolve("no_partition_number"));
        try (LogManager manager = start(cfg)) {
            assertThat(manager.logs()).hasSize(3);
            assertThat(manager.get(tp(2))).isEmpty();
            assertThat(manager.loadFailures()).containsKeys(broken, a.resolve("no_partition_number"));
            assertThat(manager.loadFailures().get(broken)).contains("garbage.log");
            assertThat(manager.get(tp(3)).orElseThrow().logEndOffset()).isEqualTo(1);
        }
    }

    @Test
    void crashedManagerRecoversTheUnflushedTailAndForcesIt() throws IOException {
        Path a = tmp.resolve("a");
        LogManagerConfig cfg = managerConfig(a);
        LogManager manager = start(cfg);
        PartitionLog log = manager.getOrCreate(tp(0), cfg.defaultLogConfig());
        for (int i = 0; i < 20; i++) {
            log.append(batch(1, 500, clock.millis(), i), 0);
        }
        log.flush();
        manager.checkpoint();
        for (int i = 0; i < 5; i++) {
            log.append(batch(1, 500, clock.millis(), i), 0);
        }
        manager.crash();
        try (LogManager reopened = start(cfg)) {
            PartitionLog recovered = reopened.get(tp(0)).orElseThrow();
            assertThat(recovered.logEndOffset()).isEqualTo(25); // the page cache kept the tail: all valid
            // The recovered tail is forced before it is served, and the checkpoint says so: a later
            // power loss cannot take back records a reader has seen (and let new ones reuse their offsets).
            assertThat(recovered.recoveryPoint()).isEqualTo(25);
            assertThat(OffsetCheckpoints.read(a.resolve(LogManager.RECOVERY_POINT_CHECKPOINT)))
                    .containsEntry(tp(0), 25L);
        }
    }

    @Test
    void retentionByTimeAndBytesDeletesWholeSegmentsAndMovesTheStartOffset() throws IOException {
        Path a = tmp.resolve("a");
        LogManagerConfig cfg = managerConfig(a);
        try (LogManager manager = start(cfg)) {
            PartitionLog byTime = manager.getOrCreate(tp(0), config(LogConfig.SEGMENT_BYTES, "2048",
                    LogConfig.RETENTION_MS, "10000"));
            PartitionLog bySize = manager.getOrCreate(tp(1), config(LogConfig.SEGMENT_BYTES, "2048",
                    LogConfig.RETENTION_BYTES, "5000"));
            long t0 = clock.millis();
            for (int i = 0; i < 20; i++) {
                byTime.append(batch(1, 500, t0 + i * 1000L, i), 0);
                bySize.append(batch(1, 500, t0, i), 0);
            }
            clock.set(t0 + 15_500);
            manager.runRetention();
            // Batches at t0+0..t0+5000 are older than 10 s: whole segments holding only those go.
            assertThat(byTime.logStartOffset()).isGreaterThan(0).isLessThanOrEqualTo(6);
            assertThat(byTime.offsetForTimestamp(TimestampOffset.EARLIEST_TIMESTAMP).offset())
                    .isEqualTo(byTime.logStartOffset());
            // Kafka's rule: delete the oldest segment while the log stays >= retention.bytes without it,
            // so the log ends within one segment above the limit.
            assertThat(bySize.sizeInBytes()).isGreaterThanOrEqualTo(5000).isLessThan(5000 + 2048);
            assertThat(bySize.logStartOffset()).isGreaterThan(0);
            // Everything expired: the log keeps an empty active segment at its end offset.
            clock.set(t0 + 100_000);
            manager.runRetention();
            assertThat(byTime.logStartOffset()).isEqualTo(20);
            assertThat(byTime.segmentCount()).isEqualTo(1);
            assertThat(byTime.append(batch(1, 10, clock.millis(), 0), 0).firstOffset()).isEqualTo(20);
        }
    }

    @Test
    void retentionByTimeAndSizeAppliesOnlyWhereTheCleanupPolicyHasDelete() throws IOException {
        Path a = tmp.resolve("a");
        LogManagerConfig cfg = managerConfig(a);
        try (LogManager manager = start(cfg)) {
            String[] limits = {LogConfig.SEGMENT_BYTES, "2048", LogConfig.RETENTION_MS, "10000",
                    LogConfig.RETENTION_BYTES, "3000"};
            PartitionLog compact = manager.getOrCreate(tp(0), withPolicy(limits, "compact"));
            PartitionLog both = manager.getOrCreate(tp(1), withPolicy(limits, "compact,delete"));
            PartitionLog delete = manager.getOrCreate(tp(2), withPolicy(limits, "delete"));
            long t0 = clock.millis();
            for (int i = 0; i < 20; i++) {
                for (PartitionLog log : List.of(compact, both, delete)) {
                    assertThat(log.append(keyed(t0 + i), 0).errorCode()).isEqualTo(ErrorCode.NONE);
                }
            }
            clock.set(t0 + 100_000);
            manager.runRetention();
            manager.runRetention(); // the cleaner is off: the warning is logged once per topic, the log kept whole
            assertThat(compact.logStartOffset()).isZero();
            assertThat(compact.logEndOffset()).isEqualTo(20);
            assertThat(compact.offsetForTimestamp(t0).offset()).isZero();
            assertThat(both.logStartOffset()).isEqualTo(20);
            assertThat(delete.logStartOffset()).isEqualTo(20);
            // DeleteRecords still moves a compacted log's start (Kafka deletes below the log start offset
            // whatever the policy).
            assertThat(compact.deleteRecords(10).errorCode()).isEqualTo(ErrorCode.NONE);
            manager.runRetention();
            assertThat(compact.logStartOffset()).isEqualTo(10);
        }
    }

    private static LogConfig withPolicy(String[] keyValues, String policy) {
        String[] all = Arrays.copyOf(keyValues, keyValues.length + 2);
        all[keyValues.length] = LogConfig.CLEANUP_POLICY;
        all[keyValues.length + 1] = policy;
        return config(all);
    }

    private static ByteBuffer keyed(long timestamp) {
        return RecordBatchBuilder.create(0, timestamp)
                .add("key".getBytes(), new byte[500], timestamp).build();
    }

    @Test
    void retentionRunsOnItsSchedule() throws Exception {
        Path a = tmp.resolve("a");
        LogManagerConfig base = managerConfig(a);
        LogManagerConfig cfg = new LogManagerConfig(base.logDirs(), base.defaultLogConfig(), 20L, Long.MAX_VALUE,
                60_000L, 60_000L, 1, 64, 4096, 65536, CLEANER_OFF);
        try (LogManager manager = start(cfg)) {
            PartitionLog log = manager.getOrCreate(tp(0), config(LogConfig.SEGMENT_BYTES, "1024", LogConfig.RETENTION_MS, "1000"));
            for (int i = 0; i < 5; i++) {
                log.append(batch(1, 600, clock.millis(), i), 0);
            }
            clock.advance(5000);
            long deadline = System.currentTimeMillis() + 10_000;
            while (log.logStartOffset() < 5 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(log.logStartOffset()).isEqualTo(5);
        }
    }

    @Test
    void flushMsAndFlushMessagesMoveTheRecoveryPoint() throws IOException {
        Path a = tmp.resolve("a");
        LogManagerConfig cfg = managerConfig(a);
        try (LogManager manager = start(cfg)) {
            PartitionLog byTime = manager.getOrCreate(tp(0), config(LogConfig.FLUSH_MS, "1000"));
            PartitionLog byCount = manager.getOrCreate(tp(1), config(LogConfig.FLUSH_MESSAGES, "3"));
            byTime.append(batch(2, 10, clock.millis(), 0), 0);
            byCount.append(batch(2, 10, clock.millis(), 0), 0);
            assertThat(byCount.recoveryPoint()).isZero();
            byCount.append(batch(1, 10, clock.millis(), 0), 0);
            assertThat(byCount.recoveryPoint()).isEqualTo(3);
            manager.runFlushSchedule();
            assertThat(byTime.recoveryPoint()).isZero();
            clock.advance(1000);
            manager.runFlushSchedule();
            assertThat(byTime.recoveryPoint()).isEqualTo(2);
        }
    }

    @Test
    void deleteRemovesTheLogAndItsDirectory() throws IOException {
        Path a = tmp.resolve("a");
        LogManagerConfig cfg = managerConfig(a);
        try (LogManager manager = start(cfg)) {
            PartitionLog log = manager.getOrCreate(tp(0), cfg.defaultLogConfig());
            log.append(batch(1, 10, clock.millis(), 0), 0);
            LogReadResult held = log.read(0, 1000, true);
            assertThat(manager.delete(tp(0))).isTrue();
            assertThat(manager.delete(tp(0))).isFalse();
            assertThat(a.resolve(tp(0).dirName())).doesNotExist();
            assertThat(held.records().getLong(0)).isZero(); // the lease keeps the unlinked mapping readable
            held.close();
            assertThat(Files.readString(a.resolve(LogManager.RECOVERY_POINT_CHECKPOINT))).isEqualTo("0\n0\n");
            assertThat(manager.getOrCreate(tp(0), cfg.defaultLogConfig()).logEndOffset()).isZero();
        }
    }

    @Test
    void failedReservationAnswersStorageErrorAndTakesOnlyThatDirOffline() throws IOException {
        Path good = tmp.resolve("good");
        Path bad = tmp.resolve("bad");
        AtomicInteger reservations = new AtomicInteger();
        SpaceReserver real = new ZeroFillSpaceReserver();
        SpaceReserver failing = new SpaceReserver() {
            @Override
            public void reserve(Path file, FileChannel channel, long fromBytes, long toBytes) throws IOException {
                if (file.startsWith(bad) && reservations.incrementAndGet() > 2) {
                    throw new IOException("No space left on device (injected)");
                }
                real.reserve(file, channel, fromBytes, toBytes);
            }

            @Override
            public String name() {
                return "failing";
            }
        };
        LogManagerConfig cfg = managerConfig(good, bad);
        List<Path> offline = new CopyOnWriteArrayList<>();
        try (LogManager manager = LogManager.start(cfg, clock, t -> null, failing)) {
            manager.addLogDirFailureListener(offline::add);
            PartitionLog first = manager.getOrCreate(tp(0), cfg.defaultLogConfig());
            PartitionLog second = manager.getOrCreate(tp(1), cfg.defaultLogConfig());
            PartitionLog onBad = first.dir().startsWith(bad) ? first : second;
            PartitionLog onGood = onBad == first ? second : first;
            short error = ErrorCode.NONE;
            long acked = 0;
            for (int i = 0; i < 100 && error == ErrorCode.NONE; i++) {
                AppendResult r = onBad.append(batch(1, 3000, clock.millis(), i), 0);
                error = r.errorCode();
                if (error == ErrorCode.NONE) {
                    acked = r.lastOffset() + 1;
                }
            }
            assertThat(error).isEqualTo(ErrorCode.KAFKA_STORAGE_ERROR);
            assertThat(onBad.isOffline()).isTrue();
            assertThat(manager.offlineLogDirs()).containsExactly(bad);
            assertThat(offline).containsExactly(bad);
            assertThat(onBad.logEndOffset()).isEqualTo(acked);
            try (LogReadResult r = onBad.read(0, 1000, true)) {
                assertThat(r.errorCode()).isEqualTo(ErrorCode.KAFKA_STORAGE_ERROR);
            }
            assertThat(onGood.append(batch(1, 3000, clock.millis(), 0), 0).errorCode()).isEqualTo(ErrorCode.NONE);
            // New logs go to the online dir only.
            PartitionLog third = manager.getOrCreate(tp(2), cfg.defaultLogConfig());
            assertThat(third.dir()).startsWith(good);
        }
        // What was acknowledged before the failure is intact.
        LogManagerConfig onlyBad = managerConfig(bad);
        try (LogManager reopened = LogManager.start(onlyBad, clock, t -> null, real)) {
            assertThat(reopened.logs()).hasSize(1);
            PartitionLog log = reopened.logs().iterator().next();
            assertThat(log.logEndOffset()).isGreaterThan(0);
        }
    }

    @Test
    void noOnlineDirMeansStorageException() throws IOException {
        Path file = tmp.resolve("not-a-dir");
        Files.writeString(file, "x");
        try (LogManager manager = start(managerConfig(file))) {
            assertThat(manager.offlineLogDirs()).containsExactly(file);
            assertThatThrownBy(() -> manager.getOrCreate(tp(0), LogConfig.DEFAULTS)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("no online log dir");
        }
    }

    @Test
    void mappingsStayWithinTheBoundAcrossManyPartitions() throws IOException {
        Path a = tmp.resolve("a");
        LogManagerConfig cfg = managerConfig(a).withMappedSegmentsMax(4);
        long before = MappedRegion.openMappings();
        try (LogManager manager = start(cfg)) {
            for (int i = 0; i < 12; i++) {
                PartitionLog log = manager.getOrCreate(tp(i), cfg.defaultLogConfig());
                for (int j = 0; j < 6; j++) {
                    log.append(batch(1, 1000, clock.millis(), j), 0);
                }
            }
            for (PartitionLog log : manager.logs()) {
                for (long o = 0; o < 6; o++) {
                    try (LogReadResult r = log.read(o, 10_000, true)) {
                        assertThat(r.firstOffset()).isEqualTo(o);
                    }
                }
            }
            assertThat(manager.mappingCache().size()).isLessThanOrEqualTo(4);
            assertThat(MappedRegion.openMappings() - before).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void configOfLogsFoundAtStartComesFromTheTopicConfigs() throws IOException {
        Path a = tmp.resolve("a");
        LogManagerConfig cfg = managerConfig(a);
        try (LogManager manager = start(cfg)) {
            manager.getOrCreate(tp(0), cfg.defaultLogConfig());
        }
        LogConfig custom = config(LogConfig.RETENTION_MS, "1234");
        try (LogManager manager = LogManager.start(cfg, clock, topic -> topic.equals(tp(0).topic()) ? custom : null)) {
            assertThat(manager.get(tp(0)).orElseThrow().config()).isEqualTo(custom);
        }
        assertThat(Map.of()).isEmpty();
    }
}
