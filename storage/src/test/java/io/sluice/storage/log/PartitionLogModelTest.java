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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.sluice.storage.log.TestLogs.batch;
import static io.sluice.storage.log.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based test: random sequences of append / read / roll / truncate / deleteRecords /
 * retention / flush / restart / crash (with a torn unflushed tail) run against the real log and a
 * plain in-memory list of batches; after every step the log must hold exactly what the model holds.
 * Seeded: a failure prints the seed; {@code -Dsluice.seed=N} replays one.
 */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(600)
class PartitionLogModelTest {

    private static final int STEPS = 250;

    @TempDir
    Path tmp;

    /** One stored batch as the model knows it: offsets, epoch, timestamp, bytes from the magic byte on. */
    record ModelBatch(long base, long last, int epoch, long maxTimestamp, ByteBuffer tail) {
    }

    @Test
    void randomOperationsAgreeWithTheModel() throws Exception {
        String fixed = System.getProperty("sluice.seed");
        List<Long> seeds = new ArrayList<>();
        if (fixed != null) {
            seeds.add(Long.parseLong(fixed));
        } else {
            for (long s = 1; s <= 12; s++) {
                seeds.add(s);
            }
            seeds.add(System.nanoTime());
        }
        for (long seed : seeds) {
            Path dir = tmp.resolve("seed-" + seed);
            try {
                new Run(seed, dir).run();
            } catch (Throwable t) {
                throw new AssertionError("model test failed; replay with -Dsluice.seed=" + seed + ": " + t, t);
            }
        }
    }

    private static final class Run {
        final long seed;
        final Random rnd;
        final Path dir;
        final ManualClock clock = new ManualClock(1_700_000_000_000L);
        final SegmentEnvironment env;
        LogConfig cfg;
        MappedPartitionLog log;
        final List<ModelBatch> batches = new ArrayList<>();
        final TreeMap<Integer, Long> epochs = new TreeMap<>();
        long lso;
        long leo;
        int epoch = 0;
        final List<String> history = new ArrayList<>();

        Run(long seed, Path dir) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.dir = dir;
            this.env = TestLogs.env(2 + rnd.nextInt(4));
            this.cfg = config(LogConfig.SEGMENT_BYTES, Integer.toString(1024 + rnd.nextInt(8192)),
                    LogConfig.INDEX_INTERVAL_BYTES, Integer.toString(rnd.nextInt(1000)),
                    LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, Long.toString(Long.MAX_VALUE));
        }

        void run() throws IOException {
            log = TestLogs.open(dir, cfg, env, clock, 0, 0);
            try {
                for (int step = 0; step < STEPS; step++) {
                    clock.advance(rnd.nextInt(1000));
                    String op = step(rnd.nextInt(100));
                    history.add(step + ":" + op + " epochs=" + epochs);
                    if (history.size() > 12) {
                        history.remove(0);
                    }
                    try {
                        check();
                    } catch (AssertionError | RuntimeException e) {
                        throw new AssertionError("after step " + step + " (" + op + "): " + e.getMessage()
                                + "\n model: lso=" + lso + " leo=" + leo + " batches=" + batches.stream()
                                .map(b -> b.base() + "-" + b.last()).toList()
                                + "\n log: lso=" + log.logStartOffset() + " leo=" + log.logEndOffset()
                                + " rp=" + log.recoveryPoint() + " segments=" + log.segmentBaseOffsets()
                                + " epochs=" + log.epochEntries() + "\n history: " + String.join("\n  ", history), e);
                    }
                }
            } finally {
                log.close();
            }
        }

        String step(int dice) throws IOException {
            if (dice < 45) {
                return append();
            } else if (dice < 55) {
                return read();
            } else if (dice < 60) {
                log.roll();
                return "roll";
            } else if (dice < 65) {
                long offset = lso + (leo > lso ? (long) rnd.nextInt((int) (leo - lso + 1)) : 0);
                return truncate(offset);
            } else if (dice < 70) {
                long offset = lso + (leo > lso ? (long) rnd.nextInt((int) (leo - lso + 1)) : 0);
                assertThat(log.deleteRecords(offset).errorCode()).isEqualTo(ErrorCode.NONE);
                lso = Math.max(lso, offset);
                truncateEpochsFromStart();
                return "deleteRecords(" + offset + ")";
            } else if (dice < 75) {
                return retention();
            } else if (dice < 80) {
                log.flush();
                assertThat(log.recoveryPoint()).isEqualTo(leo);
                return "flush";
            } else if (dice < 85) {
                return restart();
            } else if (dice < 90) {
                return crash();
            } else if (dice < 95) {
                return offsetForTimestamp();
            } else {
                epoch += 1;
                return "newEpoch(" + epoch + ")";
            }
        }

        String append() {
            int records = 1 + rnd.nextInt(5);
            ByteBuffer b = batch(records, rnd.nextInt(400), clock.millis(), rnd.nextLong());
            AppendResult r = log.append(b, epoch);
            if (b.remaining() > cfg.segmentBytes()) {
                assertThat(r.errorCode()).isEqualTo(ErrorCode.RECORD_LIST_TOO_LARGE);
                return "append refused: larger than a segment";
            }
            assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(r.firstOffset()).isEqualTo(leo);
            int from = RecordBatchDescriptor.MAGIC_OFFSET;
            batches.add(new ModelBatch(leo, leo + records - 1, epoch, clock.millis(), b.slice(from, b.remaining() - from)));
            if (epochs.isEmpty() || epoch > epochs.lastKey()) {
                final long start = leo;
                epochs.values().removeIf(o -> o >= start); // Kafka: a new epoch replaces empty ones at its start
                epochs.put(epoch, leo);
            }
            leo += records;
            return "append(" + records + ")";
        }

        String read() {
            long offset = lso - 2 + rnd.nextInt((int) (leo - lso + 5));
            int maxBytes = 1 + rnd.nextInt(3000);
            boolean minOne = rnd.nextBoolean();
            try (LogReadResult r = log.read(offset, maxBytes, minOne)) {
                if (offset < lso || offset > leo) {
                    assertThat(r.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
                    return "read(" + offset + ") out of range";
                }
                assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
                if (offset == leo) {
                    assertThat(r.sizeInBytes()).isZero();
                    return "read(end)";
                }
                int first = indexOfBatchHolding(offset);
                ByteBuffer bytes = r.records();
                int p = 0;
                int i = first;
                while (p < bytes.limit()) {
                    assertBatchEquals(bytes, p, batches.get(i));
                    p += new RecordBatchHeader().wrap(bytes, p).sizeInBytes();
                    i++;
                }
                int firstSize = RecordBatchDescriptor.MAGIC_OFFSET + batches.get(first).tail().remaining();
                if (firstSize <= maxBytes || minOne) {
                    assertThat(i).as("at least the first batch").isGreaterThan(first);
                }
                if (i - first > 1 || !minOne) {
                    assertThat(bytes.limit()).isLessThanOrEqualTo(maxBytes);
                }
                return "read(" + offset + ", " + maxBytes + ")";
            }
        }

        String truncate(long offset) {
            long result = log.truncateTo(offset);
            if (offset < leo) {
                int i = indexOfBatchHolding(offset);
                long newEnd = batches.get(i).base();
                batches.subList(i, batches.size()).clear();
                leo = newEnd;
                lso = Math.min(lso, leo);
                epochs.values().removeIf(start -> start >= leo);
            }
            assertThat(result).isEqualTo(leo);
            return "truncateTo(" + offset + ")";
        }

        String retention() {
            long retentionMs = rnd.nextInt(20_000);
            cfg = cfg.overriddenBy(Map.of(LogConfig.RETENTION_MS, Long.toString(retentionMs)));
            log.updateConfig(cfg);
            long now = clock.millis();
            log.deleteOldSegments(now);
            long newLso = log.logStartOffset();
            assertThat(newLso).isGreaterThanOrEqualTo(lso);
            for (ModelBatch b : batches) {
                if (b.last() < newLso && b.base() >= lso) {
                    assertThat(now - b.maxTimestamp()).as("deleted batch was expired").isGreaterThan(retentionMs);
                }
            }
            lso = newLso;
            truncateEpochsFromStart();
            return "retention(" + retentionMs + ")";
        }

        String restart() throws IOException {
            long rp = log.recoveryPoint();
            log.close();
            assertThat(log.recoveryPoint()).isEqualTo(leo);
            log = TestLogs.open(dir, cfg, env, clock, rnd.nextBoolean() ? leo : rp, lso);
            return "restart";
        }

        /** Crash, then lose a random part of what was not flushed (a torn tail in the last segment). */
        String crash() throws IOException {
            long rp = log.recoveryPoint();
            log.crashClose();
            Path partitionDir = dir.resolve(TestLogs.TP.dirName());
            Path last;
            try (Stream<Path> files = Files.list(partitionDir)) {
                last = files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
            }
            long segmentBase = Long.parseLong(last.getFileName().toString().substring(0, 20));
            // Byte position of the first batch at or after the recovery point in the last segment.
            int position = 0;
            int cutFrom = -1;
            for (ModelBatch b : batches) {
                if (b.base() < segmentBase) {
                    continue;
                }
                if (b.base() >= rp && cutFrom < 0) {
                    cutFrom = position;
                }
                position += RecordBatchDescriptor.MAGIC_OFFSET + b.tail().remaining();
            }
            String what = "crash";
            if (cutFrom >= 0 && rnd.nextBoolean()) {
                int cut = cutFrom + rnd.nextInt(position - cutFrom + 1);
                try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
                    ch.truncate(cut);
                }
                int p = 0;
                int keep = 0;
                for (int i = 0; i < batches.size(); i++) {
                    ModelBatch b = batches.get(i);
                    if (b.base() < segmentBase) {
                        keep = i + 1;
                        continue;
                    }
                    p += RecordBatchDescriptor.MAGIC_OFFSET + b.tail().remaining();
                    if (p > cut) {
                        break;
                    }
                    keep = i + 1;
                }
                batches.subList(keep, batches.size()).clear();
                leo = batches.isEmpty() ? Math.max(lso, segmentBase) : batches.get(batches.size() - 1).last() + 1;
                if (batches.isEmpty() || leo < segmentBase) {
                    leo = Math.max(leo, segmentBase);
                }
                if (leo < lso) {
                    // Only records below the log start offset survived: the log restarts empty at it.
                    batches.clear();
                    leo = lso;
                }
                epochs.values().removeIf(start -> start > leo); // the loader keeps an epoch starting at the end
                what = "crash, torn at byte " + cut + " of " + last.getFileName();
            }
            long checkpointed = rnd.nextInt(4) == 0 ? 0 : rp; // an older checkpoint is always safe
            log = TestLogs.open(dir, cfg, env, clock, checkpointed, lso);
            return what;
        }

        String offsetForTimestamp() {
            long ts = clock.millis() - rnd.nextInt(30_000);
            TimestampOffset r = log.offsetForTimestamp(ts);
            long expected = -1;
            for (ModelBatch b : batches) {
                if (b.last() >= lso && b.maxTimestamp() >= ts) {
                    expected = Math.max(lso, b.base());
                    break;
                }
            }
            assertThat(r.offset()).as("offsetForTimestamp(" + ts + ")").isEqualTo(expected);
            assertThat(log.offsetForTimestamp(TimestampOffset.EARLIEST_TIMESTAMP).offset()).isEqualTo(lso);
            assertThat(log.offsetForTimestamp(TimestampOffset.LATEST_TIMESTAMP).offset()).isEqualTo(leo);
            return "offsetForTimestamp";
        }

        void truncateEpochsFromStart() {
            Map.Entry<Integer, Long> floor = null;
            for (Map.Entry<Integer, Long> e : new ArrayList<>(epochs.entrySet())) {
                if (e.getValue() <= lso) {
                    if (floor != null) {
                        epochs.remove(floor.getKey());
                    }
                    floor = e;
                }
            }
            if (floor != null) {
                epochs.put(floor.getKey(), lso);
            }
        }

        int indexOfBatchHolding(long offset) {
            for (int i = 0; i < batches.size(); i++) {
                if (batches.get(i).last() >= offset) {
                    return i;
                }
            }
            throw new AssertionError("no batch holds " + offset);
        }

        void assertBatchEquals(ByteBuffer bytes, int p, ModelBatch expected) {
            RecordBatchHeader h = new RecordBatchHeader().wrap(bytes, p);
            assertThat(h.baseOffset()).isEqualTo(expected.base());
            assertThat(h.partitionLeaderEpoch()).isEqualTo(expected.epoch());
            int from = RecordBatchDescriptor.MAGIC_OFFSET;
            assertThat(bytes.slice(p + from, h.sizeInBytes() - from)).isEqualTo(expected.tail());
        }

        /** The whole log, read batch by batch from the start offset, equals the model. */
        void check() {
            assertThat(log.logEndOffset()).as("log end offset").isEqualTo(leo);
            assertThat(log.logStartOffset()).as("log start offset").isEqualTo(lso);
            long offset = lso;
            int i = batches.isEmpty() || lso >= leo ? batches.size() : indexOfBatchHolding(lso);
            while (offset < leo) {
                try (LogReadResult r = log.read(offset, 1 + rnd.nextInt(4000), true)) {
                    assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
                    ByteBuffer bytes = r.records();
                    assertThat(bytes.limit()).as("read at " + offset).isGreaterThan(0);
                    for (int p = 0; p < bytes.limit(); ) {
                        assertThat(i).as("read at " + offset + " returned more than the model holds: "
                                + new RecordBatchHeader().wrap(bytes, p)).isLessThan(batches.size());
                        assertBatchEquals(bytes, p, batches.get(i));
                        p += new RecordBatchHeader().wrap(bytes, p).sizeInBytes();
                        i++;
                    }
                    offset = r.nextOffset();
                }
            }
            assertThat(i).isEqualTo(batches.size());
            assertThat(log.latestEpoch()).isEqualTo(epochs.isEmpty() ? -1 : epochs.lastKey());
            for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
                Map.Entry<Integer, Long> next = epochs.higherEntry(e.getKey());
                assertThat(log.endOffsetForEpoch(e.getKey()))
                        .isEqualTo(new EpochEndOffset(e.getKey(), next == null ? leo : next.getValue()));
            }
        }
    }
}
