package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.segment.SegmentEnvironment;
import io.sluice.storage.segment.WrittenPages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.sluice.storage.log.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Pages of a segment leave the process's RSS (the writer's behind its tail, a file slice's); the data stays intact. */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(120)
class WrittenPagesTest {

    @TempDir
    Path tmp;

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final SegmentEnvironment env = TestLogs.env(16);

    @Test
    void anActiveSegmentKeepsOnlyItsTailMappedAndReadsBackEverything() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux /proc/self/smaps");
        LogConfig cfg = config(LogConfig.SEGMENT_BYTES, String.valueOf(64 * 1024 * 1024));
        List<ByteBuffer> written = new ArrayList<>();
        try (MappedPartitionLog log = TestLogs.open(tmp, cfg, env, clock, 0, 0)) {
            for (int i = 0; i < 384; i++) { // 384 batches of ~64 KiB: 24 MiB in one segment
                ByteBuffer b = TestLogs.batch(16, 4000, clock.millis(), i);
                written.add(b.duplicate());
                assertThat(log.append(b, 0).errorCode()).isEqualTo(ErrorCode.NONE);
            }
            assertThat(log.segmentBaseOffsets()).hasSize(1);
            long residentBytes = mappedResidentBytes(tmp);
            assertThat(residentBytes).as("RSS of the segment mapping after writing 24 MiB")
                    .isLessThanOrEqualTo(WrittenPages.RESIDENT_BYTES + WrittenPages.STEP_BYTES + 128 * 1024);

            long offset = 0;
            for (ByteBuffer expected : written) {
                try (LogReadResult r = log.read(offset, expected.remaining(), true)) {
                    int from = RecordBatchDescriptor.MAGIC_OFFSET; // the base offset before it was assigned
                    assertThat(r.records().slice(from, expected.remaining() - from))
                            .isEqualTo(expected.slice(from, expected.remaining() - from));
                }
                offset += 16;
            }
        }
    }

    @Test
    void aFileSliceHoldsTheSameBytesAndItsPagesLeaveTheMapping() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux /proc/self/smaps");
        LogConfig cfg = config(LogConfig.SEGMENT_BYTES, String.valueOf(64 * 1024 * 1024));
        try (MappedPartitionLog log = TestLogs.open(tmp, cfg, env, clock, 0, 0)) {
            for (int i = 0; i < 16; i++) { // 1 MiB: all of it inside the writer's resident tail
                log.append(TestLogs.batch(16, 4000, clock.millis(), i), 0);
            }
            long mappedBefore = mappedResidentBytes(tmp);
            try (LogReadResult r = log.read(0, 2 * 1024 * 1024, true)) {
                ByteBuffer expected = ByteBuffer.allocate(r.sizeInBytes()).put(r.records().duplicate()).flip();
                FileSlice slice = r.openFileSlice().orElseThrow();
                assertThat(slice.sizeInBytes()).isEqualTo(r.sizeInBytes());
                ByteBuffer fromFile = ByteBuffer.allocate(slice.sizeInBytes());
                slice.channel().read(fromFile, slice.position());
                assertThat(fromFile.flip()).isEqualTo(expected);
                assertThat(mappedBefore - mappedResidentBytes(tmp)).as("bytes of the slice no longer mapped")
                        .isGreaterThanOrEqualTo(r.sizeInBytes() - 2L * 4096);
                r.close();
                assertThat(slice.channel().isOpen()).as("closed with the read").isFalse();
            }
        }
    }

    /** Sum of the Rss lines of every mapping in /proc/self/smaps of a file under {@code dir}. */
    private static long mappedResidentBytes(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString();
        long kib = 0;
        boolean inFile = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (Character.isDigit(line.charAt(0)) || Character.isLowerCase(line.charAt(0))) {
                inFile = line.contains(prefix) && line.endsWith(".log");
            } else if (inFile && line.startsWith("Rss:")) {
                kib += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return kib * 1024;
    }
}
