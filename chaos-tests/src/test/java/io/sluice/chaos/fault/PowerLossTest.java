package io.sluice.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    void dirtyPagesModelKeepsTheForcedBatchesWhenTheCheckpointSaysNothing() throws Exception {
        assumeDirtyPagesReadable();
        int pageBytes = DirtyPages.pageBytes();
        // Four batches a page, so the forced batches end on a page boundary and no append shares their page.
        int bodyBytes = pageBytes / 4 - RecordBatchDescriptor.HEADER_LENGTH;
        Path seg = SegmentFixture.segment(logDir.resolve("t-0"), 0, 8, 1, bodyBytes);
        SegmentFixture.force(seg);
        SegmentFixture.append(seg, 8, 8, 1, bodyBytes);
        SegmentFixture.checkpoint(logDir, "t 0 0");

        PowerLoss.Outcome outcome = PowerLoss.apply(logDir, new Random(5), 0, PowerLoss.Model.DIRTY_PAGES, Map.of());

        assertThat(outcome.toString()).startsWith("dirty-pages model, 1 partitions");
        long size = Files.size(seg);
        assertThat(size).as("forced batches 0..7 kept").isGreaterThanOrEqualTo(2L * pageBytes);
        // Skipped, not passed, if writeback won the race (see DirtyPagesTest).
        assumeTrue(size < 4L * pageBytes, "writeback cleaned the unforced batches before the cut");
        assertThat(size).as("unforced batches 8..15 cut").isEqualTo(2L * pageBytes);
        assertThat(SegmentFiles.batches(seg)).last().extracting(SegmentFiles.Batch::lastOffset).isEqualTo(7L);
    }

    @Test
    void dirtyPagesModelNeverCutsBelowTheCheckpoint() throws Exception {
        assumeDirtyPagesReadable();
        Path seg = SegmentFixture.segment(logDir.resolve("t-0"), 0, 4, 5, 39);   // offsets 0..19, never forced
        SegmentFixture.checkpoint(logDir, "t 0 10");

        PowerLoss.apply(logDir, new Random(7), 0, PowerLoss.Model.DIRTY_PAGES, Map.of("t-0", 15L));

        long size = Files.size(seg);
        assertThat(size).as("batches below the acknowledged 15 kept").isGreaterThanOrEqualTo(3L * BATCH_BYTES);
        assumeTrue(size < 4L * BATCH_BYTES, "writeback cleaned the segment before the cut");
        assertThat(size).as("the unforced batch above 15 cut").isEqualTo(3L * BATCH_BYTES);
    }

    private void assumeDirtyPagesReadable() throws Exception {
        boolean readable = PowerLoss.Model.truestFor(logDir) == PowerLoss.Model.DIRTY_PAGES;
        String why = DirtyPages.unavailableReason() != null ? DirtyPages.unavailableReason()
                : Files.getFileStore(logDir).type() + " at " + logDir;
        if (!readable) {
            System.out.println("dirty-pages model not testable here: " + why);
        }
        assumeTrue(readable, why);
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
