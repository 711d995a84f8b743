package io.sluice.bench.storage;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import io.sluice.storage.log.LogReadResult;
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
 * Sequential read throughput, 1 MiB fetches over a 256 MiB log (page cache warm), each fetch's bytes
 * copied into one destination buffer (what a socket write does with them):
 * <ul>
 *   <li>{@code sluice}: {@link PartitionLog#read} (index lookup, whole batches, a leased slice of
 *       the mapping), then a copy of the slice;</li>
 *   <li>{@code fileChannel}: {@code FileChannel.read} of 1 MiB at the next position.</li>
 * </ul>
 * The score is bytes per second read (each op reports the bytes it moved via the return value's sum:
 * see {@link #FETCH_BYTES}); MB/s = ops/s x fetch bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StorageReadBenchmark {

    static final int FETCH_BYTES = 1024 * 1024;
    static final long LOG_BYTES = 256L * 1024 * 1024;

    @Param({"sluice", "fileChannel"})
    public String log;

    private Path dir;
    private LogManager manager;
    private PartitionLog partitionLog;
    private FileChannel channel;
    private long fileBytes;
    private long offset;
    private long position;
    private final ByteBuffer sink = ByteBuffer.allocateDirect(FETCH_BYTES + 64 * 1024);

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = BenchFiles.tempDir("sluice-read-");
        ByteBuffer batch = BenchFiles.directBatch(System.currentTimeMillis());
        LogManagerConfig cfg = LogManagerConfig.defaults(List.of(dir.resolve("sluice")));
        manager = LogManager.start(cfg, Clock.systemUTC(), topic -> null);
        partitionLog = manager.getOrCreate(new TopicPartitionId("bench", 0),
                LogConfig.fromMap(Map.of(LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, Long.toString(Long.MAX_VALUE),
                        LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Long.toString(Long.MAX_VALUE),
                        LogConfig.SEGMENT_BYTES, Integer.toString(128 * 1024 * 1024))));
        channel = FileChannel.open(dir.resolve("plain.log"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        while (partitionLog.sizeInBytes() < LOG_BYTES) {
            partitionLog.append(batch, 0);
            ByteBuffer b = batch.duplicate();
            while (b.hasRemaining()) {
                fileBytes += channel.write(b, fileBytes);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        manager.close();
        channel.close();
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    public int read() throws IOException {
        sink.clear();
        if (log.equals("sluice")) {
            try (LogReadResult r = partitionLog.read(offset, FETCH_BYTES, true)) {
                if (r.errorCode() != ErrorCode.NONE) {
                    throw new IllegalStateException(ErrorCode.name(r.errorCode()));
                }
                sink.put(r.records());
                offset = r.nextOffset() >= partitionLog.logEndOffset() ? 0 : r.nextOffset();
            }
        } else {
            sink.limit(FETCH_BYTES);
            int n = channel.read(sink, position);
            position = position + n >= fileBytes ? 0 : position + n;
        }
        return sink.position();
    }
}
