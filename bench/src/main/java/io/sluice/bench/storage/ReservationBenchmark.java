package io.sluice.bench.storage;

import io.sluice.storage.segment.FallocateSpaceReserver;
import io.sluice.storage.segment.SpaceReserver;
import io.sluice.storage.segment.ZeroFillSpaceReserver;
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
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Cost of reserving one 16 MiB step of a segment for real: posix fallocate (through Chronicle's
 * native layer) versus writing zeros through the FileChannel. The file is emptied before every call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReservationBenchmark {

    static final long STEP_BYTES = 16L * 1024 * 1024;

    @Param({"fallocate", "zeroFill"})
    public String reserver;

    private Path dir;
    private Path file;
    private FileChannel channel;
    private SpaceReserver spaceReserver;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchFiles.tempDir("sluice-reserve-");
        file = dir.resolve("segment.log");
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (reserver.equals("fallocate") && !FallocateSpaceReserver.isAvailable()) {
            throw new IllegalStateException("fallocate not available here");
        }
        spaceReserver = reserver.equals("fallocate") ? new FallocateSpaceReserver() : new ZeroFillSpaceReserver();
    }

    @Setup(Level.Invocation)
    public void empty() throws IOException {
        channel.truncate(0);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    public long reserveStep() throws IOException {
        spaceReserver.reserve(file, channel, 0, STEP_BYTES);
        return channel.size();
    }
}
