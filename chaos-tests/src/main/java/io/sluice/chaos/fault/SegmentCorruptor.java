package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Flips bytes inside one record batch of a closed (rolled, not active) segment, past the batch
 * header so the batch keeps its length and only its CRC stops matching — the bit rot a checksum
 * exists to catch. Runs while the broker is up: another process writing the file is what a bad
 * disk looks like to it. Stateless.
 */
public final class SegmentCorruptor {
    private SegmentCorruptor() { }

    /** Where the damage was done, for the report. */
    public record Damage(Path segment, long batchBaseOffset, long batchLastOffset, long position, int bytes) {
        @Override
        public String toString() {
            return segment.getParent().getFileName() + "/" + segment.getFileName() + " batch " + batchBaseOffset + ".."
                    + batchLastOffset + " @" + position + " (" + bytes + " bytes flipped)";
        }
    }

    /** Empty if no partition of {@code topics} has a closed segment with a batch yet. */
    public static Optional<Damage> corrupt(Path logDir, Set<String> topics, Random random, int bytesMax)
            throws IOException {
        List<Path> closed = new ArrayList<>();
        for (Path dir : SegmentFiles.partitionDirs(logDir)) {
            if (!topics.contains(SegmentFiles.topicOf(dir))) {
                continue;
            }
            List<Path> segments = SegmentFiles.segments(dir);
            closed.addAll(segments.subList(0, Math.max(0, segments.size() - 1)));
        }
        while (!closed.isEmpty()) {
            Path segment = closed.remove(random.nextInt(closed.size()));
            List<SegmentFiles.Batch> batches = SegmentFiles.batches(segment);
            if (batches.isEmpty()) {
                continue;
            }
            SegmentFiles.Batch b = batches.get(random.nextInt(batches.size()));
            int body = b.sizeBytes() - RecordBatchDescriptor.HEADER_LENGTH;
            if (body <= 0) {
                continue;
            }
            long position = b.position() + RecordBatchDescriptor.HEADER_LENGTH + random.nextInt(body);
            int n = 1 + random.nextInt(Math.max(1, Math.min(bytesMax, (int) (b.position() + b.sizeBytes() - position))));
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.allocate(n);
                ch.read(buf, position);
                for (int i = 0; i < n; i++) {
                    // XOR with a non-zero byte: every chosen byte really changes.
                    buf.put(i, (byte) (buf.get(i) ^ (1 + random.nextInt(255))));
                }
                buf.clear();
                ch.write(buf, position);
            }
            return Optional.of(new Damage(segment, b.baseOffset(), b.lastOffset(), position, n));
        }
        return Optional.empty();
    }
}
