package io.sluice.server.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a replica's log segment straight from a node's data dir, to compare replicas byte for byte
 * (the log is a mapping, so a file read sees what the process appended even after kill -9).
 */
final class SegmentBytes {

    /** Kafka's v2 batch header: base offset (8), length (4), ..., last offset delta at 23; 61 bytes. */
    private static final int BATCH_HEADER_BYTES = 61;
    private static final int LAST_OFFSET_DELTA_AT = 23;

    private SegmentBytes() { }

    /**
     * The bytes of a partition's first segment up to the end of the batch that holds
     * {@code highWatermark - 1}: the committed prefix, which must be equal on every replica.
     */
    static byte[] committedPrefix(BrokerProcess node, String partitionDir, long highWatermark) throws IOException {
        Path segment;
        try (var files = Files.list(node.dataDir().resolve("logs").resolve(partitionDir))) {
            segment = files.filter(f -> f.toString().endsWith(".log")).sorted().findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(segment)) {
            ByteBuffer header = ByteBuffer.allocate(BATCH_HEADER_BYTES);
            long position = 0;
            while (ch.read(header.clear(), position) == BATCH_HEADER_BYTES) {
                long base = header.getLong(0);
                int length = header.getInt(8);
                if (length <= 0) {
                    break;
                }
                position += 12 + length;
                if (base + header.getInt(LAST_OFFSET_DELTA_AT) >= highWatermark - 1) {
                    break;
                }
            }
            ByteBuffer prefix = ByteBuffer.allocate((int) position);
            ch.read(prefix, 0);
            return prefix.array();
        }
    }
}
