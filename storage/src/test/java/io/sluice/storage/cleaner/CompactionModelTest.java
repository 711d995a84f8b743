package io.sluice.storage.cleaner;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.cleaner.StoredLog.StoredBatch;
import io.sluice.storage.cleaner.StoredLog.StoredRecord;
import io.sluice.storage.log.AppendResult;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogLoader;
import io.sluice.storage.log.MappedPartitionLog;
import io.sluice.storage.segment.MappingCache;
import io.sluice.storage.segment.SegmentEnvironment;
import io.sluice.storage.segment.SpaceReserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded model-based test of the cleaning of one log: random keys, values, tombstones, headers,
 * codecs, producers, timestamp types, time steps, rolls, restarts and cleanings (with a small offset map, so the dirty range
 * often stops where the map fills), checked after every cleaning against a map of everything written.
 * A failure prints its seed; {@code -Dsluice.seed=N} replays one.
 */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(300)
class CompactionModelTest {

    private static final TopicPartitionId TP = new TopicPartitionId("compacted", 0);

    @TempDir
    Path tmp;

    @Test
    void cleaningsKeepTheLatestRecordOfEveryKeyAndTombstonesUntilTheirHorizon() throws Exception {
        String fixed = System.getProperty("sluice.seed");
        List<Long> seeds = new ArrayList<>();
        if (fixed != null) {
            seeds.add(Long.parseLong(fixed));
        } else {
            for (long s = 1; s <= 5; s++) {
                seeds.add(s);
            }
            seeds.add(System.nanoTime());
        }
        for (long seed : seeds) {
            try {
                new Run(seed, tmp.resolve("seed-" + seed)).run();
            } catch (Throwable t) {
                throw new AssertionError("compaction model test failed; replay with -Dsluice.seed=" + seed + ": " + t, t);
            }
        }
    }

    private static final class Run {
        final long seed;
        final Random rnd;
        final Path dir;
        final ManualClock clock = new ManualClock(1_700_000_000_000L);
        final SegmentEnvironment env = new SegmentEnvironment(new MappingCache(3), SpaceReserver.detect(), 4096,
                64 * 1024);
        final LogConfig cfg;
        final long deleteRetentionMs;
        final LogCleaner cleaner;
        final int keys;
        MappedPartitionLog log;
        final TreeMap<Long, StoredRecord> written = new TreeMap<>();
        final Map<Long, Integer> codecOfBatch = new HashMap<>();
        final Map<Long, Long> lastOffsetOfProducer = new HashMap<>();
        final Map<Long, Integer> sequenceOfProducer = new HashMap<>();
        final Map<Long, Long> observedHorizon = new HashMap<>();
        long cleanedEnd;
        int cleanings;

        Run(long seed, Path dir) throws Exception {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.dir = dir.resolve(TP.dirName());
            this.deleteRetentionMs = rnd.nextInt(3000);
            this.keys = 2 + rnd.nextInt(20);
            this.cfg = LogConfig.fromMap(Map.of(LogConfig.CLEANUP_POLICY, "compact",
                    LogConfig.SEGMENT_BYTES, Integer.toString(700 + rnd.nextInt(3000)),
                    LogConfig.INDEX_INTERVAL_BYTES, "128",
                    LogConfig.DELETE_RETENTION_MS, Long.toString(deleteRetentionMs),
                    LogConfig.MESSAGE_TIMESTAMP_TYPE, rnd.nextBoolean() ? "CreateTime" : "LogAppendTime"));
            // A small map (but room for the largest batch, 5 records): the dirty range often ends where it fills.
            this.cleaner = new LogCleaner(new OffsetMap(OffsetMap.BYTES_PER_ENTRY * (7L + rnd.nextInt(60)), 0.9),
                    new Throttler(Double.MAX_VALUE, clock::millis, ms -> { }), CleaningHook.NONE);
            this.log = open(0);
        }

        MappedPartitionLog open(long recoveryPoint) throws Exception {
            return LogLoader.load(dir, TP, cfg, env, clock, recoveryPoint, 0, (l, e) -> { });
        }

        void run() throws Exception {
            try {
                for (int step = 0; step < 250; step++) {
                    int r = rnd.nextInt(100);
                    if (r < 55) {
                        append();
                    } else if (r < 70) {
                        clock.advance(rnd.nextInt(1500));
                    } else if (r < 78) {
                        log.roll();
                    } else if (r < 94) {
                        clean();
                    } else {
                        log.close();
                        log = open(rnd.nextBoolean() ? 0 : log.logEndOffset());
                    }
                }
                log.roll();
                for (int i = 0; i < 1000 && cleanedEnd < log.logEndOffset(); i++) {
                    clean(); // a small map takes several cleanings to reach the end
                }
                assertThat(cleanedEnd).isEqualTo(log.logEndOffset());
                assertExactlyTheLiveKeys();
            } finally {
                log.close();
            }
        }

        void append() {
            int n = 1 + rnd.nextInt(5);
            long now = clock.millis();
            RecordBatchBuilder b = RecordBatchBuilder.create(0, now - rnd.nextInt(100));
            int codec = rnd.nextInt(5);
            b.compression(codec);
            long pid = rnd.nextInt(10) < 3 ? 1 + rnd.nextInt(3) : -1;
            if (pid >= 0) {
                int seq = sequenceOfProducer.getOrDefault(pid, 0);
                b.producer(pid, (short) 0, seq);
                sequenceOfProducer.put(pid, seq + n);
            }
            for (int i = 0; i < n; i++) {
                byte[] key = ("k" + rnd.nextInt(keys)).getBytes(StandardCharsets.UTF_8);
                byte[] value = rnd.nextInt(100) < 15 ? null : randomBytes(rnd.nextInt(40));
                String[] headers = new String[rnd.nextInt(3)];
                for (int h = 0; h < headers.length; h++) {
                    headers[h] = "h" + rnd.nextInt(5);
                }
                b.add(key, value, now - rnd.nextInt(100), headers);
            }
            AppendResult r = log.append(b.build(), 0);
            assertThat(r.errorCode()).as("append").isEqualTo(ErrorCode.NONE);
            codecOfBatch.put(r.firstOffset(), codec);
            if (pid >= 0) {
                lastOffsetOfProducer.put(pid, r.lastOffset());
            }
            for (StoredBatch stored : StoredLog.read(log)) {
                if (stored.baseOffset() == r.firstOffset()) {
                    for (StoredRecord rec : stored.records()) {
                        written.put(rec.offset(), rec);
                    }
                }
            }
            assertThat(written.lastKey()).isEqualTo(r.lastOffset());
        }

        byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            return b;
        }

        void clean() throws Exception {
            var segments = log.segmentsSnapshot();
            long activeBase = segments.get(segments.size() - 1).baseOffset();
            long firstDirty = Math.max(cleanedEnd, log.logStartOffset());
            if (activeBase <= firstDirty) {
                return;
            }
            CleaningResult result = cleaner.clean(log, firstDirty, activeBase, clock.millis(), () -> false);
            assertThat(result.endOffset()).isGreaterThan(firstDirty).isLessThanOrEqualTo(activeBase);
            cleanedEnd = result.endOffset();
            cleanings++;
            check(clock.millis(), cleanedEnd);
        }

        /** The invariants after a cleaning at {@code now} whose mapped range ended before {@code end}. */
        void check(long now, long end) {
            List<StoredBatch> batches = StoredLog.read(log);
            List<StoredRecord> present = StoredLog.records(batches);
            Map<Long, StoredRecord> byOffset = new HashMap<>();
            long previous = -1;
            for (StoredRecord rec : present) {
                assertThat(rec.offset()).as("offsets strictly increase").isGreaterThan(previous);
                previous = rec.offset();
                assertThat(rec.sameAs(written.get(rec.offset()))).as("offset %d holds what was written there: %s vs %s",
                        rec.offset(), rec, written.get(rec.offset())).isTrue();
                byOffset.put(rec.offset(), rec);
            }
            // Below the cleaned end: only the latest record of each key; above: everything.
            Map<String, Long> latestBelowEnd = new HashMap<>();
            for (StoredRecord rec : written.headMap(end, false).values()) {
                latestBelowEnd.put(new String(rec.key(), StandardCharsets.UTF_8), rec.offset());
            }
            for (StoredRecord rec : present) {
                if (rec.offset() < end) {
                    assertThat(latestBelowEnd.get(new String(rec.key(), StandardCharsets.UTF_8)))
                            .as("record %s below the cleaned end %d is the latest of its key", rec, end)
                            .isEqualTo(rec.offset());
                }
            }
            for (StoredRecord rec : written.tailMap(end, true).values()) {
                assertThat(byOffset).as("uncleaned record %s is kept", rec).containsKey(rec.offset());
            }
            Map<Long, Long> horizonOf = new HashMap<>();
            for (StoredBatch b : batches) {
                for (StoredRecord rec : b.records()) {
                    horizonOf.put(rec.offset(), b.deleteHorizonMs());
                }
            }
            for (long offset : latestBelowEnd.values()) {
                StoredRecord rec = written.get(offset);
                if (rec.value() != null) {
                    assertThat(byOffset).as("latest value %s is kept", rec).containsKey(offset);
                } else if (byOffset.containsKey(offset)) {
                    long horizon = horizonOf.get(offset);
                    assertThat(horizon).as("kept tombstone %s has a delete horizon", rec).isPositive();
                    assertThat(now).as("kept tombstone %s is younger than delete.retention.ms", rec)
                            .isLessThan(horizon).isGreaterThanOrEqualTo(horizon - deleteRetentionMs);
                } else {
                    assertThat(observedHorizon).as("tombstone %s dropped only after its horizon", rec).containsKey(offset);
                    assertThat(now).as("tombstone %s dropped after its horizon", rec)
                            .isGreaterThanOrEqualTo(observedHorizon.get(offset));
                }
            }
            // Any tombstone kept by a cleaning got its horizon then (also past the mapped range): a later
            // cleaning may drop it once that horizon has passed.
            horizonOf.forEach((offset, horizon) -> {
                if (horizon > 0 && byOffset.get(offset).value() == null) {
                    observedHorizon.putIfAbsent(offset, horizon);
                }
            });
            Map<Long, Long> lastOfProducer = new HashMap<>();
            for (StoredBatch b : batches) {
                if (b.producerId() >= 0) {
                    lastOfProducer.merge(b.producerId(), b.lastOffset(), Math::max);
                }
                if (!b.records().isEmpty()) {
                    assertThat(b.codec()).as("batch %d keeps its codec", b.baseOffset())
                            .isEqualTo(codecOfBatch.get(b.baseOffset()));
                }
            }
            assertThat(lastOfProducer).as("each producer's last batch is kept").isEqualTo(lastOffsetOfProducer);
        }

        void assertExactlyTheLiveKeys() {
            Map<String, StoredRecord> latest = new HashMap<>();
            for (StoredRecord rec : written.values()) {
                latest.put(new String(rec.key(), StandardCharsets.UTF_8), rec);
            }
            List<StoredRecord> expected = new ArrayList<>();
            for (StoredRecord rec : latest.values()) {
                if (rec.value() != null) {
                    expected.add(rec);
                }
            }
            List<StoredRecord> liveValues = new ArrayList<>();
            for (StoredRecord rec : StoredLog.records(StoredLog.read(log))) {
                if (rec.value() != null) {
                    liveValues.add(rec);
                }
            }
            assertThat(liveValues).as("one record per live key, its latest (after %d cleanings)", cleanings)
                    .usingElementComparator((a, b) -> a.sameAs(b) ? 0 : 1)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
