package io.sluice.bench.storage;

import io.sluice.storage.batch.RecordBatchDescriptor;
import net.openhft.chronicle.bytes.MappedBytes;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Which library should touch the mapping on the hot path: copying a 16 KiB batch into a mapped
 * segment, and reading the v2 header fields the log needs, through the JDK's MappedByteBuffer,
 * Agrona's UnsafeBuffer and Chronicle Bytes' MappedBytes, over the same 64 MiB file.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MappedAccessBenchmark {

    static final int FILE_BYTES = 64 * 1024 * 1024;

    private Path dir;
    private MappedByteBuffer jdk;
    private UnsafeBuffer agrona;
    private MappedBytes chronicle;
    private ByteBuffer batch;
    private int size;
    private int position;

    @Setup(Level.Trial)
    public void map() throws IOException {
        dir = BenchFiles.tempDir("sluice-mapped-");
        Path file = dir.resolve("segment.log");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long p = 0; p < FILE_BYTES; p += zeros.capacity()) {
                ch.write(zeros.clear(), p);
            }
            jdk = ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES);
        }
        agrona = new UnsafeBuffer(jdk);
        chronicle = MappedBytes.singleMappedBytes(file.toFile(), FILE_BYTES);
        batch = BenchFiles.directBatch(System.currentTimeMillis());
        size = batch.remaining();
        // Pre-fill so header reads see real batches everywhere.
        for (int p = 0; p + size <= FILE_BYTES; p += size) {
            jdk.put(p, batch, 0, size);
        }
    }

    @TearDown(Level.Trial)
    public void unmap() throws IOException {
        chronicle.close();
        IoUtil.unmap(jdk);
        BenchFiles.deleteRecursively(dir);
    }

    private int next() {
        int p = position;
        position = p + size + size > FILE_BYTES ? 0 : p + size;
        return p;
    }

    @Benchmark
    public int copyJdkMappedByteBuffer() {
        int p = next();
        jdk.put(p, batch, 0, size);
        return p;
    }

    @Benchmark
    public int copyAgronaUnsafeBuffer() {
        int p = next();
        agrona.putBytes(p, batch, 0, size);
        return p;
    }

    @Benchmark
    public int copyChronicleMappedBytes() {
        int p = next();
        chronicle.write(p, batch, 0, size);
        return p;
    }

    @Benchmark
    public long headerJdkMappedByteBuffer() {
        int p = next();
        return jdk.getLong(p + RecordBatchDescriptor.BASE_OFFSET_OFFSET)
                + jdk.getInt(p + RecordBatchDescriptor.LENGTH_OFFSET)
                + jdk.getInt(p + RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET)
                + jdk.getLong(p + RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET)
                + jdk.getLong(p + RecordBatchDescriptor.PRODUCER_ID_OFFSET)
                + jdk.get(p + RecordBatchDescriptor.MAGIC_OFFSET);
    }

    @Benchmark
    public long headerAgronaUnsafeBuffer() {
        int p = next();
        ByteOrder be = ByteOrder.BIG_ENDIAN;
        return agrona.getLong(p + RecordBatchDescriptor.BASE_OFFSET_OFFSET, be)
                + agrona.getInt(p + RecordBatchDescriptor.LENGTH_OFFSET, be)
                + agrona.getInt(p + RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET, be)
                + agrona.getLong(p + RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET, be)
                + agrona.getLong(p + RecordBatchDescriptor.PRODUCER_ID_OFFSET, be)
                + agrona.getByte(p + RecordBatchDescriptor.MAGIC_OFFSET);
    }

    @Benchmark
    public long headerChronicleMappedBytes() {
        int p = next();
        // Chronicle reads native (little-endian) order; Kafka's layout is big-endian.
        return Long.reverseBytes(chronicle.readLong(p + RecordBatchDescriptor.BASE_OFFSET_OFFSET))
                + Integer.reverseBytes(chronicle.readInt(p + RecordBatchDescriptor.LENGTH_OFFSET))
                + Integer.reverseBytes(chronicle.readInt(p + RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET))
                + Long.reverseBytes(chronicle.readLong(p + RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET))
                + Long.reverseBytes(chronicle.readLong(p + RecordBatchDescriptor.PRODUCER_ID_OFFSET))
                + chronicle.readByte(p + RecordBatchDescriptor.MAGIC_OFFSET);
    }
}
