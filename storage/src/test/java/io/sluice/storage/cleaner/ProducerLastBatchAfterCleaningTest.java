package io.sluice.storage.cleaner;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.cleaner.StoredLog.StoredBatch;
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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A producer whose records were all overwritten keeps its last batch as an empty header after a
 * cleaning, and a scan of the batch headers written since a time (how the broker rebuilds
 * idempotent-producer state at load) still finds it: the record-level ListOffsets answer skips it.
 */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(60)
class ProducerLastBatchAfterCleaningTest {

    private static final TopicPartitionId TP = new TopicPartitionId("compacted", 0);
    private static final long PRODUCER_ID = 7;

    @TempDir
    Path tmp;

    @Test
    void headerScanSinceATimeFindsTheEmptyLastBatchOfACleanedProducer() throws Exception {
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        SegmentEnvironment env = new SegmentEnvironment(new MappingCache(3), SpaceReserver.detect(), 4096, 64 * 1024);
        LogConfig cfg = LogConfig.fromMap(Map.of(LogConfig.CLEANUP_POLICY, "compact"));
        MappedPartitionLog log = LogLoader.load(tmp.resolve(TP.dirName()), TP, cfg, env, clock, 0, 0, (l, e) -> { });
        try {
            long start = clock.millis();
            append(log, RecordBatchBuilder.create(0, start).producer(PRODUCER_ID, (short) 0, 0)
                    .add(bytes("k"), bytes("idempotent"), start).build());
            append(log, RecordBatchBuilder.create(0, start).add(bytes("k"), bytes("later"), start).build());
            log.roll(); // the active segment is never cleaned
            new LogCleaner(new OffsetMap(OffsetMap.BYTES_PER_ENTRY * 16, 0.9),
                    new Throttler(Double.MAX_VALUE, clock::millis, ms -> { }), CleaningHook.NONE)
                    .clean(log, 0, log.logEndOffset(), clock.millis(), () -> false);

            List<StoredBatch> batches = StoredLog.read(log);
            assertThat(batches).hasSize(2);
            assertThat(batches.get(0).producerId()).isEqualTo(PRODUCER_ID);
            assertThat(batches.get(0).records()).as("the producer's last batch, emptied").isEmpty();
            assertThat(log.offsetForTimestamp(start).offset()).as("ListOffsets skips the empty batch").isEqualTo(1);

            long from = log.firstBatchOffsetAtOrAfter(start);
            assertThat(from).isZero();
            List<Long> producers = new ArrayList<>();
            log.scanBatchHeaders(from, h -> producers.add(h.producerId()));
            assertThat(producers).containsExactly(PRODUCER_ID, -1L);
            assertThat(log.firstBatchOffsetAtOrAfter(start + 1)).as("no batch that late").isEqualTo(log.logEndOffset());
        } finally {
            log.close();
        }
    }

    private static void append(MappedPartitionLog log, ByteBuffer batch) {
        assertThat(log.append(batch, 0).errorCode()).isEqualTo(ErrorCode.NONE);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
