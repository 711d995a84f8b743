package io.sluice.bench.storage;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.batch.RecordBatchValidator;
import io.sluice.storage.batch.RecordValidator;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * CPU cost of validating one produced batch of 16 records × 1 KiB (the append benchmark's batch),
 * uncompressed and LZ4 (the values half random, half repeated text, so LZ4 has something to do):
 * <ul>
 *   <li>{@code headerAndCrc}: the old check, {@link RecordBatchValidator} alone (the baseline);</li>
 *   <li>{@code headerCrcAndRecords}: the same plus Sluice's per-record pass ({@link RecordValidator}:
 *       compacted-topic key check on, timestamps checked);</li>
 *   <li>{@code kafkaClientsRecords}: what Kafka's LogValidator does with kafka-clients' classes for the
 *       same batch: {@code ensureValid} (CRC) and a walk of every record ({@code iterator()} for an
 *       uncompressed batch, {@code skipKeyValueIterator} for a compressed one, as LogValidator picks).</li>
 * </ul>
 * Average time per batch; divide 16 589 bytes by it for bytes per second of one core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordValidationBenchmark {

    private static final int RECORDS = 16;
    private static final int VALUE_BYTES = 1024;
    private static final int MAX_MESSAGE_BYTES = 1024 * 1024 + 12;

    /** Compression codec id: 0 none, 3 lz4. */
    @Param({"0", "3"})
    public int codec;

    private final RecordValidator validator = new RecordValidator();
    private final BufferSupplier buffers = BufferSupplier.create();
    private ByteBuffer batch;
    private long now;

    @Setup
    public void setUp() {
        now = System.currentTimeMillis();
        Random random = new Random(7);
        RecordBatchBuilder b = RecordBatchBuilder.create(0, now).compression(codec);
        byte[] text = "the quick brown fox jumps over the lazy dog ".repeat(12).getBytes();
        for (int i = 0; i < RECORDS; i++) {
            byte[] v = new byte[VALUE_BYTES];
            random.nextBytes(v);
            System.arraycopy(text, 0, v, VALUE_BYTES / 2, VALUE_BYTES / 2);
            b.add(("key-" + i).getBytes(), v, now + i);
        }
        batch = b.build();
        if (headerCrcAndRecords() != ErrorCode.NONE || headerAndCrc() != ErrorCode.NONE) {
            throw new IllegalStateException("the benchmark batch does not validate");
        }
    }

    @Benchmark
    public short headerAndCrc() {
        return RecordBatchValidator.validateSingleBatch(batch, MAX_MESSAGE_BYTES);
    }

    @Benchmark
    public short headerCrcAndRecords() {
        short error = RecordBatchValidator.validateSingleBatch(batch, MAX_MESSAGE_BYTES);
        if (error != ErrorCode.NONE) {
            return error;
        }
        return validator.validate(batch, 0, now, false, Long.MAX_VALUE, 3_600_000L, true);
    }

    @Benchmark
    public long kafkaClientsRecords() {
        MutableRecordBatch b = MemoryRecords.readableRecords(batch.duplicate()).batches().iterator().next();
        b.ensureValid();
        long max = -1;
        try (CloseableIterator<Record> records = codec == 0 ? b.streamingIterator(buffers)
                : b.skipKeyValueIterator(buffers)) {
            while (records.hasNext()) {
                Record r = records.next();
                if (!r.hasKey()) {
                    return -1;
                }
                max = Math.max(max, r.timestamp());
            }
        }
        return max;
    }
}
