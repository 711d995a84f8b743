package io.sluice.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SegmentCorruptorTest {
    @TempDir
    Path logDir;

    @Test
    void flipsBytesInsideABatchBodyOfAClosedSegmentOnly() throws Exception {
        Path closed = SegmentFixture.segment(logDir.resolve("t-0"), 0, 3, 5, 100);
        Path active = SegmentFixture.segment(logDir.resolve("t-0"), 15, 3, 5, 100);
        byte[] closedBefore = Files.readAllBytes(closed);
        byte[] activeBefore = Files.readAllBytes(active);

        Optional<SegmentCorruptor.Damage> damage = SegmentCorruptor.corrupt(logDir, Set.of("t"), new Random(11), 4);

        assertThat(damage).isPresent();
        assertThat(Files.readAllBytes(active)).isEqualTo(activeBefore);
        byte[] closedAfter = Files.readAllBytes(closed);
        int changed = 0;
        for (int i = 0; i < closedAfter.length; i++) {
            if (closedAfter[i] != closedBefore[i]) {
                changed++;
                int inBatch = i % (RecordBatchDescriptor.HEADER_LENGTH + 100);
                assertThat(inBatch).as("byte %d is in a header", i).isGreaterThanOrEqualTo(RecordBatchDescriptor.HEADER_LENGTH);
            }
        }
        assertThat(changed).isEqualTo(damage.get().bytes());
        assertThat(SegmentFiles.batches(closed)).as("lengths intact, so only the CRC can tell").hasSize(3);
    }

    @Test
    void nothingToCorruptWithoutAClosedSegmentOfTheTopic() throws Exception {
        SegmentFixture.segment(logDir.resolve("t-0"), 0, 3, 5, 100);
        SegmentFixture.segment(logDir.resolve("other-0"), 0, 3, 5, 100);
        SegmentFixture.segment(logDir.resolve("other-0"), 15, 3, 5, 100);

        assertThat(SegmentCorruptor.corrupt(logDir, Set.of("t"), new Random(1), 4)).isEmpty();
    }
}
