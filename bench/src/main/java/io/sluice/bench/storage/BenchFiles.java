package io.sluice.bench.storage;

import io.sluice.storage.batch.RecordBatchBuilder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Shared helpers of the storage benchmarks: temp dirs on the benchmark disk and the test batch. */
final class BenchFiles {

    /** Records per batch and bytes per record value: 16 x 1 KiB records, a ~16.5 KiB batch. */
    static final int RECORDS_PER_BATCH = 16;
    static final int RECORD_VALUE_BYTES = 1024;

    private BenchFiles() {
    }

    /** A temp dir under {@code -Dsluice.bench.dir} (default: java.io.tmpdir), i.e. on the disk under test. */
    static Path tempDir(String prefix) throws IOException {
        Path base = Path.of(System.getProperty("sluice.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, prefix);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The benchmark batch, in a direct buffer as a network read would leave it. */
    static ByteBuffer directBatch(long timestamp) {
        ByteBuffer heap = RecordBatchBuilder.batch(RECORDS_PER_BATCH, RECORD_VALUE_BYTES, timestamp, 42);
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining());
        direct.put(heap).flip();
        return direct;
    }
}
