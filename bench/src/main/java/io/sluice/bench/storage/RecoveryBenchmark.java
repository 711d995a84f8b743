package io.sluice.bench.storage;

import io.sluice.storage.TopicPartitionId;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Time to open a 1 GiB partition log after a crash ({@link LogManager#crash()}: no flush, no
 * checkpoint at exit), with a recent recovery point (checkpointed 1 MiB before the end) and with none
 * (no recovery-point checkpoint: every batch is validated). Page cache warm: this measures the work
 * recovery does, not the disk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 7)
@Fork(1)
public class RecoveryBenchmark {

    static final long LOG_BYTES = 1024L * 1024 * 1024;
    static final long UNFLUSHED_BYTES = 1024L * 1024;

    @Param({"recent", "none"})
    public String recoveryPoint;

    private Path dir;
    private LogManagerConfig cfg;
    private LogManager manager;
    private final TopicPartitionId tp = new TopicPartitionId("bench", 0);

    @Setup(Level.Trial)
    public void writeAndCrash() throws IOException {
        dir = BenchFiles.tempDir("sluice-recovery-");
        cfg = LogManagerConfig.defaults(List.of(dir));
        ByteBuffer batch = BenchFiles.directBatch(System.currentTimeMillis());
        LogManager writer = LogManager.start(cfg, Clock.systemUTC(), topic -> null);
        PartitionLog log = writer.getOrCreate(tp, LogConfig.fromMap(Map.of(
                LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, Long.toString(Long.MAX_VALUE),
                LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Long.toString(Long.MAX_VALUE))));
        boolean flushed = false;
        while (log.sizeInBytes() < LOG_BYTES) {
            log.append(batch, 0);
            if (!flushed && log.sizeInBytes() >= LOG_BYTES - UNFLUSHED_BYTES) {
                log.flush();
                writer.checkpoint();
                flushed = true;
            }
        }
        writer.crash();
        if (recoveryPoint.equals("none")) {
            Files.delete(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT));
        }
    }

    @Benchmark
    public long recover() {
        manager = LogManager.start(cfg, Clock.systemUTC(), topic -> null);
        return manager.get(tp).orElseThrow().logEndOffset();
    }

    @TearDown(Level.Invocation)
    public void crashAgain() throws IOException {
        manager.crash();
        if (recoveryPoint.equals("none")) {
            Files.deleteIfExists(dir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT));
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        BenchFiles.deleteRecursively(dir);
    }
}
