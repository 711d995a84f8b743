package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Simulates losing power: with the broker already SIGKILLed, every partition's segment files are
 * cut back to the last offset the log forced to disk, as its recovery-point checkpoint says, and
 * random garbage (or zeros, as a preallocated tail reads) is written after the cut, as a
 * half-written page would leave. A partition missing from the checkpoint was never forced, so
 * all of it goes. Not thread-safe; run only while the broker is down.
 */
public final class PowerLoss {
    private PowerLoss() { }

    /** What was cut. */
    public record Outcome(int partitions, long bytesCut, long garbageBytes) {
        @Override
        public String toString() {
            return partitions + " partitions, " + bytesCut + " bytes cut, " + garbageBytes + " garbage bytes";
        }
    }

    public static Outcome apply(Path logDir, Random random, int garbageBytesMax) throws IOException {
        return apply(logDir, random, garbageBytesMax, Map.of());
    }

    /**
     * As {@link #apply(Path, Random, int)}, but never cuts a partition below {@code forcedAtLeast}
     * (partition dir name to exclusive offset): what the harness knows was forced because the
     * broker acknowledged it under flush.messages=1, where the checkpoint may lag behind.
     */
    public static Outcome apply(Path logDir, Random random, int garbageBytesMax, Map<String, Long> forcedAtLeast)
            throws IOException {
        Map<String, Long> recoveryPoints = RecoveryPointCheckpoint.read(logDir);
        int partitions = 0;
        long cut = 0;
        long garbage = 0;
        for (Path dir : SegmentFiles.partitionDirs(logDir)) {
            String name = dir.getFileName().toString();
            long recoveryPoint = Math.max(recoveryPoints.getOrDefault(name, 0L), forcedAtLeast.getOrDefault(name, 0L));
            partitions++;
            for (Path segment : SegmentFiles.segments(dir)) {
                long keep = durablePrefix(segment, recoveryPoint);
                try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    long size = ch.size();
                    if (keep >= size) {
                        continue;
                    }
                    cut += size - keep;
                    ch.truncate(keep);
                    int n = garbageBytesMax <= 0 ? 0 : random.nextInt(garbageBytesMax + 1);
                    byte[] junk = new byte[n];
                    if (random.nextBoolean()) {
                        random.nextBytes(junk);
                    }
                    ch.write(ByteBuffer.wrap(junk), keep);
                    garbage += n;
                }
            }
        }
        return new Outcome(partitions, cut, garbage);
    }

    /** Bytes of {@code segment} holding only offsets below {@code recoveryPoint}. */
    static long durablePrefix(Path segment, long recoveryPoint) throws IOException {
        if (SegmentFiles.baseOffsetOf(segment) >= recoveryPoint) {
            return 0;
        }
        long keep = 0;
        List<SegmentFiles.Batch> batches = SegmentFiles.batches(segment);
        for (SegmentFiles.Batch b : batches) {
            if (b.lastOffset() >= recoveryPoint) {
                break;
            }
            keep = b.position() + b.sizeBytes();
        }
        return keep;
    }
}
