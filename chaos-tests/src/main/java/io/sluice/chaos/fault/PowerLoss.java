package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Simulates losing power: with the broker already SIGKILLed, every partition's segment files are
 * cut back to what a power cut at this instant would have left on disk ({@link Model}), and random
 * garbage (or zeros, as a preallocated tail reads) is written after the cut, as a half-written page
 * would leave. Not thread-safe; run only while the broker is down.
 */
public final class PowerLoss {
    private PowerLoss() { }

    /** Where a segment's durable bytes end. */
    public enum Model {
        /**
         * At the last whole batch before the segment's first page the kernel still holds dirty or
         * under writeback ({@link DirtyPages}): what the page cache had not yet written. Never below
         * the checkpoint model's cut (those bytes were forced, even if a later append dirtied their
         * page again). Dirty pages after a clean stretch are cut too: recovery would truncate at the
         * first bad batch anyway.
         */
        DIRTY_PAGES("dirty-pages"),
        /**
         * At the last batch below the log dir's {@code recovery-point-offset-checkpoint} (a partition
         * missing from it was never forced, so all of it goes), or below the offsets the caller knows
         * were forced. The checkpoint is written on a timer, so it lags the true forced point.
         */
        CHECKPOINT("checkpoint");

        private final String label;

        Model(String label) {
            this.label = label;
        }

        /** The kernel's dirty pages where readable, except on tmpfs, whose pages are never written back. */
        public static Model truestFor(Path logDir) throws IOException {
            return DirtyPages.unavailableReason() == null && !"tmpfs".equals(Files.getFileStore(logDir).type())
                    ? DIRTY_PAGES : CHECKPOINT;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** What was cut, and by which model. */
    public record Outcome(Model model, int partitions, long bytesCut, long garbageBytes) {
        @Override
        public String toString() {
            return model + " model, " + partitions + " partitions, " + bytesCut + " bytes cut, "
                    + garbageBytes + " garbage bytes";
        }
    }

    /** Cuts to the checkpoint alone. */
    public static Outcome apply(Path logDir, Random random, int garbageBytesMax) throws IOException {
        return apply(logDir, random, garbageBytesMax, Model.CHECKPOINT, Map.of());
    }

    /**
     * Cuts by {@code model}, never below {@code forcedAtLeast} (partition dir name to exclusive
     * offset): what the harness knows was forced because the broker acknowledged it under
     * flush.messages=1, where the checkpoint may lag behind.
     */
    public static Outcome apply(Path logDir, Random random, int garbageBytesMax, Model model,
                                Map<String, Long> forcedAtLeast) throws IOException {
        Map<String, Long> recoveryPoints = RecoveryPointCheckpoint.read(logDir);
        int partitions = 0;
        long cut = 0;
        long garbage = 0;
        for (Path dir : SegmentFiles.partitionDirs(logDir)) {
            String name = dir.getFileName().toString();
            long recoveryPoint = Math.max(recoveryPoints.getOrDefault(name, 0L), forcedAtLeast.getOrDefault(name, 0L));
            partitions++;
            for (Path segment : SegmentFiles.segments(dir)) {
                // Before this segment is touched: truncating and the garbage dirty its pages.
                long keep = durablePrefix(segment, recoveryPoint, model);
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
        return new Outcome(model, partitions, cut, garbage);
    }

    /** Bytes of {@code segment} a power cut leaves by {@code model}: whole batches only. */
    static long durablePrefix(Path segment, long recoveryPoint, Model model) throws IOException {
        List<SegmentFiles.Batch> batches = SegmentFiles.batches(segment);
        long keep = SegmentFiles.baseOffsetOf(segment) >= recoveryPoint ? 0 : bytesBelow(batches, recoveryPoint);
        if (model == Model.CHECKPOINT || batches.isEmpty()) {
            return keep;
        }
        SegmentFiles.Batch last = batches.get(batches.size() - 1);
        long firstDirty = DirtyPages.firstDirtyPosition(segment, last.position() + last.sizeBytes());
        return Math.max(keep, bytesEndingBy(batches, firstDirty));
    }

    /** End of the last batch holding only offsets below {@code recoveryPoint}. */
    private static long bytesBelow(List<SegmentFiles.Batch> batches, long recoveryPoint) {
        long keep = 0;
        for (SegmentFiles.Batch b : batches) {
            if (b.lastOffset() >= recoveryPoint) {
                break;
            }
            keep = b.position() + b.sizeBytes();
        }
        return keep;
    }

    /** End of the last batch that ends at or before {@code position}. */
    private static long bytesEndingBy(List<SegmentFiles.Batch> batches, long position) {
        long keep = 0;
        for (SegmentFiles.Batch b : batches) {
            if (b.position() + b.sizeBytes() > position) {
                break;
            }
            keep = b.position() + b.sizeBytes();
        }
        return keep;
    }
}
