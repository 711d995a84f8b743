package io.sluice.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.chaos.fault.RecordBatchDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Replicas' segment files written by hand: committed prefixes that agree, and ones that do not. */
@Timeout(30)
class CommittedPrefixesTest {
    private static final int BODY_BYTES = 10;

    @TempDir
    Path dir;

    /** A segment of one-record batches at {@code base, base+1, ...} with the given CRCs, then {@code zeroTailBytes} zeros. */
    private static void segment(Path logDir, long base, long[] crcs, int zeroTailBytes) throws IOException {
        Path partition = Files.createDirectories(logDir.resolve("t-0"));
        int total = RecordBatchDescriptor.HEADER_LENGTH + BODY_BYTES;
        ByteBuffer buf = ByteBuffer.allocate(total * crcs.length + zeroTailBytes);
        for (int i = 0; i < crcs.length; i++) {
            int at = i * total;
            buf.putLong(at + RecordBatchDescriptor.BASE_OFFSET_OFFSET, base + i);
            buf.putInt(at + RecordBatchDescriptor.BATCH_LENGTH_OFFSET, total - RecordBatchDescriptor.LOG_OVERHEAD);
            buf.put(at + RecordBatchDescriptor.MAGIC_OFFSET, RecordBatchDescriptor.MAGIC_V2);
            buf.putInt(at + RecordBatchDescriptor.CRC_OFFSET, (int) crcs[i]);
            buf.putInt(at + RecordBatchDescriptor.RECORDS_COUNT_OFFSET, 1);
        }
        Files.write(partition.resolve(String.format("%020d.log", base)), buf.array());
    }

    private Map<String, List<CommittedPrefixes.BatchId>> read(long highWatermark, String... nodes) throws IOException {
        Map<String, List<CommittedPrefixes.BatchId>> out = new LinkedHashMap<>();
        for (String n : nodes) {
            out.put(n, CommittedPrefixes.read(dir.resolve(n), "t", 0, highWatermark));
        }
        return out;
    }

    @Test
    void replicasAgreeingBelowTheHighWatermarkAgreeWhateverTheyHoldAboveItAndHowTheySegment() throws IOException {
        segment(dir.resolve("n1"), 0, new long[] {0xA, 0xB, 0xC, 0xD}, 0);
        segment(dir.resolve("n2"), 0, new long[] {0xA, 0xB}, 0); // rolled after 2 batches
        segment(dir.resolve("n2"), 2, new long[] {0xC, 0xE}, 4096); // preallocated tail; 3 is above the HW
        segment(dir.resolve("n3"), 0, new long[] {0xA, 0xB, 0xC}, 0);

        Map<String, List<CommittedPrefixes.BatchId>> prefixes = read(3, "n1", "n2", "n3");

        assertThat(prefixes.get("n2")).hasSize(3);
        assertThat(CommittedPrefixes.compare(prefixes)).isEmpty();
    }

    @Test
    void aReplicaHoldingAnotherBatchBelowTheHighWatermarkDiverges() throws IOException {
        segment(dir.resolve("n1"), 0, new long[] {0xA, 0xB, 0xC}, 0);
        segment(dir.resolve("n2"), 0, new long[] {0xA, 0xF, 0xC}, 0);
        segment(dir.resolve("n3"), 0, new long[] {0xA, 0xB, 0xC}, 0);

        List<CommittedPrefixes.Divergence> d = CommittedPrefixes.compare(read(3, "n1", "n2", "n3"));

        assertThat(d).hasSize(1);
        assertThat(d.get(0).node()).isEqualTo("n2");
        assertThat(d.get(0).offset()).isEqualTo(1);
        assertThat(d.get(0).how()).isEqualTo("holds batch 1..1 crc 0xf where [n1, n3] hold batch 1..1 crc 0xb "
                + "(batch #1 below the high watermark)");
    }

    @Test
    void aReplicaMissingCommittedBatchesDiverges() throws IOException {
        segment(dir.resolve("n1"), 0, new long[] {0xA, 0xB, 0xC}, 0);
        segment(dir.resolve("n2"), 0, new long[] {0xA, 0xB, 0xC}, 0);
        segment(dir.resolve("n3"), 0, new long[] {0xA}, 8192);

        List<CommittedPrefixes.Divergence> d = CommittedPrefixes.compare(read(3, "n1", "n2", "n3"));

        assertThat(d).extracting(CommittedPrefixes.Divergence::node).containsExactly("n3");
        assertThat(d.get(0).offset()).isEqualTo(1);
        assertThat(d.get(0).how()).startsWith("holds nothing where [n1, n2] hold batch 1..1");
    }

    @Test
    void aPartitionAReplicaDoesNotHoldReadsAsEmpty() throws IOException {
        assertThat(CommittedPrefixes.read(dir.resolve("n9"), "t", 0, 10)).isEmpty();
    }
}
