package io.sluice.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PowerLossTest {
    private static final int BATCH_BYTES = RecordBatchDescriptor.HEADER_LENGTH + 39;

    @TempDir
    Path logDir;

    @Test
    void cutsEachSegmentBackToTheRecoveryPointAndLeavesAtMostTheGarbageAfterIt() throws Exception {
        Path p0 = logDir.resolve("t-0");
        Path first = SegmentFixture.segment(p0, 0, 4, 5, 39);   // offsets 0..19
        Path second = SegmentFixture.segment(p0, 20, 4, 5, 39); // offsets 20..39
        SegmentFixture.checkpoint(logDir, "t 0 30");

        PowerLoss.Outcome outcome = PowerLoss.apply(logDir, new Random(7), 0);

        assertThat(Files.size(first)).isEqualTo(4L * BATCH_BYTES);
        assertThat(Files.size(second)).as("batches 20..24 and 25..29 are below 30").isEqualTo(2L * BATCH_BYTES);
        assertThat(outcome.bytesCut()).isEqualTo(2L * BATCH_BYTES);
    }

    @Test
    void partitionMissingFromTheCheckpointLosesEverything() throws Exception {
        Path seg = SegmentFixture.segment(logDir.resolve("new-topic-1"), 0, 3, 2, 10);
        SegmentFixture.checkpoint(logDir, "t 0 30");

        PowerLoss.apply(logDir, new Random(1), 0);

        assertThat(Files.size(seg)).isZero();
    }

    @Test
    void garbageAfterTheCutIsBoundedAndStopsTheBatchWalk() throws Exception {
        Path seg = SegmentFixture.segment(logDir.resolve("t-0"), 0, 4, 5, 39);
        SegmentFixture.checkpoint(logDir, "t 0 10");

        PowerLoss.apply(logDir, new Random(3), 4096);

        long size = Files.size(seg);
        assertThat(size).isBetween(2L * BATCH_BYTES, 2L * BATCH_BYTES + 4096);
        assertThat(SegmentFiles.batches(seg)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(SegmentFiles.batches(seg).get(1).lastOffset()).isEqualTo(9);
    }

    @Test
    void metadataLogIsNotAPartitionLog() throws Exception {
        Path meta = SegmentFixture.segment(logDir.resolve("__cluster_metadata-0"), 0, 3, 1, 10);
        long before = Files.size(meta);

        PowerLoss.apply(logDir, new Random(1), 100);

        assertThat(Files.size(meta)).isEqualTo(before);
    }

    @Test
    void checkpointParsingRejectsAShortFile() {
        assertThatThrownBy(() -> RecoveryPointCheckpoint.parse(List.of("0", "2", "t 0 5"), "x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("count says 2");
        assertThatThrownBy(() -> RecoveryPointCheckpoint.parse(List.of("1", "0"), "x"))
                .hasMessageContaining("version 1");
        assertThat(RecoveryPointCheckpoint.parse(List.of("0", "2", "a-b 0 5", "c 3 7"), "x"))
                .containsEntry("a-b-0", 5L).containsEntry("c-3", 7L);
    }
}
