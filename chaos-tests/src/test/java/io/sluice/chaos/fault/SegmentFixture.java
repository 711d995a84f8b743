package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes segment files of hand-made RecordBatch v2 frames (headers right, CRCs not: only boundaries matter here). */
final class SegmentFixture {
    private SegmentFixture() { }

    /** One batch per offset range [base, base+count), each {@code bodyBytes} of records after the header. */
    static Path segment(Path partitionDir, long baseOffset, int batches, int recordsPerBatch, int bodyBytes)
            throws IOException {
        Files.createDirectories(partitionDir);
        Path file = partitionDir.resolve(String.format("%020d.log", baseOffset));
        Files.write(file, frames(baseOffset, batches, recordsPerBatch, bodyBytes));
        return file;
    }

    /** Appends batches from {@code baseOffset} on, as {@link #segment} lays them out; forces nothing. */
    static void append(Path segment, long baseOffset, int batches, int recordsPerBatch, int bodyBytes)
            throws IOException {
        Files.write(segment, frames(baseOffset, batches, recordsPerBatch, bodyBytes), StandardOpenOption.APPEND);
    }

    /** Forces the file's bytes and metadata to disk, as a broker's flush does. */
    static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static byte[] frames(long baseOffset, int batches, int recordsPerBatch, int bodyBytes) {
        int total = RecordBatchDescriptor.HEADER_LENGTH + bodyBytes;
        ByteBuffer buf = ByteBuffer.allocate(total * batches);
        long offset = baseOffset;
        for (int b = 0; b < batches; b++) {
            int start = buf.position();
            buf.putLong(start + RecordBatchDescriptor.BASE_OFFSET_OFFSET, offset);
            buf.putInt(start + RecordBatchDescriptor.BATCH_LENGTH_OFFSET, total - RecordBatchDescriptor.LOG_OVERHEAD);
            buf.put(start + RecordBatchDescriptor.MAGIC_OFFSET, RecordBatchDescriptor.MAGIC_V2);
            buf.putInt(start + RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET, recordsPerBatch - 1);
            buf.putInt(start + RecordBatchDescriptor.RECORDS_COUNT_OFFSET, recordsPerBatch);
            for (int i = RecordBatchDescriptor.HEADER_LENGTH; i < total; i++) {
                buf.put(start + i, (byte) 'x');
            }
            buf.position(start + total);
            offset += recordsPerBatch;
        }
        return buf.array();
    }

    static void checkpoint(Path logDir, String... lines) throws IOException {
        StringBuilder sb = new StringBuilder("0\n").append(lines.length).append('\n');
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        Files.writeString(logDir.resolve(RecoveryPointCheckpoint.FILE_NAME), sb.toString());
    }
}
