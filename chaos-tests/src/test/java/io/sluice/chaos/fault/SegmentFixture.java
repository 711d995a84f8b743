package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes segment files of hand-made RecordBatch v2 frames (headers right, CRCs not: only boundaries matter here). */
final class SegmentFixture {
    private SegmentFixture() { }

    /** One batch per offset range [base, base+count), each {@code bodyBytes} of records after the header. */
    static Path segment(Path partitionDir, long baseOffset, int batches, int recordsPerBatch, int bodyBytes)
            throws IOException {
        Files.createDirectories(partitionDir);
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
        Path file = partitionDir.resolve(String.format("%020d.log", baseOffset));
        Files.write(file, buf.array());
        return file;
    }

    static void checkpoint(Path logDir, String... lines) throws IOException {
        StringBuilder sb = new StringBuilder("0\n").append(lines.length).append('\n');
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        Files.writeString(logDir.resolve(RecoveryPointCheckpoint.FILE_NAME), sb.toString());
    }
}
