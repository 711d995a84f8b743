package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.batch.RecordBatchHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.sluice.storage.log.TestLogs.batch;
import static io.sluice.storage.log.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readers race a writer, retention, deleteRecords and the mapping bound (1 mapping): every batch a
 * reader gets is whole and intact (CRC), offsets only grow, and nothing faults (a use-after-unmap
 * would kill the JVM, not fail an assertion).
 */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(120)
class ConcurrentReadWriteTest {

    @TempDir
    Path dir;

    @Test
    void readersSeeOnlyWholeIntactBatchesWhileTheLogChangesUnderThem() throws Exception {
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        MappedPartitionLog log = TestLogs.open(dir, config(LogConfig.SEGMENT_BYTES, "8192",
                LogConfig.INDEX_INTERVAL_BYTES, "512", LogConfig.RETENTION_BYTES, "40000"), TestLogs.env(1), clock, 0, 0);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicLong batchesRead = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            final long seed = r;
            Thread t = new Thread(() -> {
                Random rnd = new Random(seed);
                RecordBatchHeader h = new RecordBatchHeader();
                try {
                    while (!stop.get()) {
                        long lso = log.logStartOffset();
                        long leo = log.logEndOffset();
                        long offset = lso + (leo > lso ? (long) rnd.nextInt((int) (leo - lso)) : 0);
                        try (LogReadResult read = log.read(offset, 1 + rnd.nextInt(20_000), rnd.nextBoolean())) {
                            if (read.errorCode() == ErrorCode.OFFSET_OUT_OF_RANGE) {
                                continue; // retention moved the start past our offset meanwhile
                            }
                            assertThat(read.errorCode()).isEqualTo(ErrorCode.NONE);
                            ByteBuffer bytes = read.records();
                            long previous = -1;
                            for (int p = 0; p < bytes.limit(); p += h.sizeInBytes()) {
                                h.wrap(bytes, p);
                                assertThat(RecordBatchHeader.computeCrc(bytes, p, h.sizeInBytes())).isEqualTo(h.crc());
                                assertThat(h.baseOffset()).isGreaterThan(previous);
                                previous = h.lastOffset();
                                batchesRead.incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "reader-" + r);
            t.start();
            readers.add(t);
        }
        try {
            Random rnd = new Random(7);
            for (int i = 0; i < 3000; i++) {
                assertThat(log.append(batch(1 + rnd.nextInt(4), rnd.nextInt(900), clock.millis(), i), 0).errorCode())
                        .isEqualTo(ErrorCode.NONE);
                if (i % 100 == 0) {
                    log.deleteOldSegments(clock.millis());
                }
                if (i % 700 == 0) {
                    log.deleteRecords(log.logStartOffset() + 1);
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
            log.close();
        }
        assertThat(errors).isEmpty();
        assertThat(batchesRead.get()).isGreaterThan(100);
    }
}
