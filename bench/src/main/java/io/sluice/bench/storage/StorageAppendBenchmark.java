package io.sluice.bench.storage;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchValidator;
import io.sluice.storage.log.AppendResult;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import io.sluice.storage.log.PartitionLog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Append throughput of 16 KiB batches (16 records of 1 KiB) into the Sluice log versus a plain
 * append-only file written with {@code FileChannel.write}, on the same disk, in one run.
 * <ul>
 *   <li>{@code sluice}: {@link PartitionLog#append} (validate header + CRC32C, copy into the
 *       mapping, index, publish), default configs (no fsync: flush.messages/flush.ms unset);</li>
 *   <li>{@code fileChannel}: {@code FileChannel.write} of the same bytes, no validation;</li>
 *   <li>{@code fileChannelValidated}: the same validation as Sluice, then {@code FileChannel.write}.</li>
 * </ul>
 * MB/s = ops/s x {@link #batchBytes}. Each iteration starts on an empty log that is deleted after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StorageAppendBenchmark {

    @Param({"sluice", "fileChannel", "fileChannelValidated"})
    public String log;

    /** Size of one batch in bytes (printed once so the MB/s conversion is exact). */
    public static int batchBytes;

    private ByteBuffer batch;
    private Path dir;
    private LogManager manager;
    private PartitionLog partitionLog;
    private FileChannel channel;
    private long position;

    @Setup(Level.Trial)
    public void batch() {
        batch = BenchFiles.directBatch(System.currentTimeMillis());
        batchBytes = batch.remaining();
        System.out.println("batch bytes: " + batchBytes);
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
        dir = BenchFiles.tempDir("sluice-append-");
        if (log.equals("sluice")) {
            LogManagerConfig cfg = LogManagerConfig.defaults(List.of(dir));
            manager = LogManager.start(cfg, Clock.systemUTC(), topic -> null);
            partitionLog = manager.getOrCreate(new TopicPartitionId("bench", 0),
                    LogConfig.fromMap(Map.of(LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, Long.toString(Long.MAX_VALUE),
                            LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Long.toString(Long.MAX_VALUE))));
        } else {
            channel = FileChannel.open(dir.resolve("00000000000000000000.log"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            position = 0;
        }
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        if (manager != null) {
            manager.close();
            manager = null;
        }
        if (channel != null) {
            channel.close();
            channel = null;
        }
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    public long append() throws IOException {
        switch (log) {
            case "sluice": {
                AppendResult r = partitionLog.append(batch, 0);
                if (r.errorCode() != ErrorCode.NONE) {
                    throw new IllegalStateException("append failed: " + ErrorCode.name(r.errorCode()));
                }
                return r.lastOffset();
            }
            case "fileChannelValidated":
                if (RecordBatchValidator.validateSingleBatch(batch, 1 << 20) != ErrorCode.NONE) {
                    throw new IllegalStateException("invalid batch");
                }
                return write();
            default:
                return write();
        }
    }

    private long write() throws IOException {
        ByteBuffer b = batch.duplicate();
        while (b.hasRemaining()) {
            position += channel.write(b, position);
        }
        return position;
    }
}
