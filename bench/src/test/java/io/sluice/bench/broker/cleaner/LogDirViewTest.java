package io.sluice.bench.broker.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class LogDirViewTest {
    @TempDir
    Path dir;

    @Test
    void checkpointGivesThePartitionsFirstDirtyOffset() throws IOException {
        Files.writeString(dir.resolve(LogDirView.CHECKPOINT_FILE),
                "0\n3\n__consumer_offsets 7 120\nbench-cleaner-log-r1 0 1048570\nbench-cleaner-log-r10 0 5\n");
        LogDirView view = new LogDirView(dir);

        assertThat(view.cleanerCheckpoint("bench-cleaner-log-r1", 0)).hasValue(1_048_570);
        assertThat(view.cleanerCheckpoint("bench-cleaner-log-r10", 0)).hasValue(5);
        assertThat(view.cleanerCheckpoint("bench-cleaner-log-r1", 1)).isEmpty();
        assertThat(view.cleanerCheckpoint("other", 0)).isEmpty();
    }

    @Test
    void anAbsentOrPartialCheckpointIsNotYet() throws IOException {
        assertThat(new LogDirView(dir).cleanerCheckpoint("t", 0)).isEmpty();
        assertThat(LogDirView.parseCheckpoint(List.of("0", "2", "t 0 9"), "t", 0)).isEmpty();
        assertThat(LogDirView.parseCheckpoint(List.of("1", "1", "t 0 9"), "t", 0)).isEmpty();
        assertThat(LogDirView.parseCheckpoint(List.of("0", "x"), "t", 0)).isEmpty();
        assertThat(LogDirView.parseCheckpoint(List.of("0", "1", "t 0 9x"), "t", 0)).isEmpty();
        assertThat(LogDirView.parseCheckpoint(List.of("0", "1", "t 0 9"), "t", 0)).isEqualTo(OptionalLong.of(9));
    }

    @Test
    void segmentsAreTheLogFilesByBaseOffsetAndTheLastIsActive() throws IOException {
        Path partition = Files.createDirectories(dir.resolve("t-0"));
        Files.write(partition.resolve("00000000000000000000.log"), new byte[100]);
        Files.write(partition.resolve("00000000000000001000.log"), new byte[30]);
        Files.write(partition.resolve("00000000000000000500.log"), new byte[50]);
        Files.write(partition.resolve("00000000000000001000.index"), new byte[7]);
        Files.write(partition.resolve("00000000000000000000.log.cleaned"), new byte[9]);
        Files.write(partition.resolve("leader-epoch-checkpoint"), new byte[9]);

        LogDirView.Segments segments = new LogDirView(dir).segments("t", 0);

        assertThat(segments.count()).isEqualTo(3);
        assertThat(segments.activeBaseOffset()).isEqualTo(1000);
        assertThat(segments.sealedBytes()).isEqualTo(150);
    }
}
