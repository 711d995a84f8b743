package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Walks a log directory the way Kafka and Sluice lay it out: {@code <topic>-<partition>/} holding
 * {@code <20-digit base offset>.log} files of RecordBatch v2 bytes back to back. Stateless.
 */
public final class SegmentFiles {
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(\\d+)");
    private static final Pattern SEGMENT = Pattern.compile("\\d{20}\\.log");

    private SegmentFiles() { }

    /**
     * A batch's position in its segment file, the offsets it holds, and the CRC its header stores
     * (CRC-32C of attributes..end, unsigned; not recomputed here).
     */
    public record Batch(long position, long baseOffset, long lastOffset, int sizeBytes, long crc) { }

    /** Partition directories ({@code topic-N}), except the metadata log, which is not a partition log. */
    public static List<Path> partitionDirs(Path logDir) throws IOException {
        try (Stream<Path> s = Files.list(logDir)) {
            return s.filter(Files::isDirectory)
                    .filter(p -> PARTITION_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> !p.getFileName().toString().startsWith("__cluster_metadata"))
                    .sorted().toList();
        }
    }

    public static String topicOf(Path partitionDir) {
        String name = partitionDir.getFileName().toString();
        return name.substring(0, name.lastIndexOf('-'));
    }

    public static int partitionOf(Path partitionDir) {
        String name = partitionDir.getFileName().toString();
        return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    }

    /** Segment files of one partition in base-offset order (the last one is the active segment). */
    public static List<Path> segments(Path partitionDir) throws IOException {
        try (Stream<Path> s = Files.list(partitionDir)) {
            return s.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
    }

    public static long baseOffsetOf(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - ".log".length()));
    }

    /**
     * The well-formed batches at the start of a segment: stops at the first header that is cut
     * short, has a non-positive length, runs past the file end or is not magic 2 (zeros of a
     * preallocated tail end the walk here). CRCs are not checked: this only finds boundaries.
     */
    public static List<Batch> batches(Path segment) throws IOException {
        List<Batch> out = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(segment)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(RecordBatchDescriptor.HEADER_LENGTH);
            while (pos + RecordBatchDescriptor.HEADER_LENGTH <= size) {
                header.clear();
                while (header.hasRemaining() && ch.read(header, pos + header.position()) > 0) {
                    // read the whole header
                }
                long base = header.getLong(RecordBatchDescriptor.BASE_OFFSET_OFFSET);
                int length = header.getInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET);
                byte magic = header.get(RecordBatchDescriptor.MAGIC_OFFSET);
                int total = RecordBatchDescriptor.LOG_OVERHEAD + length;
                if (length <= 0 || magic != RecordBatchDescriptor.MAGIC_V2 || pos + total > size
                        || total < RecordBatchDescriptor.HEADER_LENGTH) {
                    break;
                }
                int lastDelta = header.getInt(RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET);
                long crc = Integer.toUnsignedLong(header.getInt(RecordBatchDescriptor.CRC_OFFSET));
                out.add(new Batch(pos, base, base + lastDelta, total, crc));
                pos += total;
            }
        }
        return out;
    }
}
