package io.sluice.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.storage.TopicPartitionId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kafka's offset checkpoint text format: what is written reads back, and a damaged file is refused, never half read. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OffsetCheckpointsTest {

    @TempDir
    Path dir;

    @Test
    void writtenOffsetsReadBackInKafkasFormat() throws IOException {
        Path file = dir.resolve("replication-offset-checkpoint");
        Map<TopicPartitionId, Long> offsets = Map.of(new TopicPartitionId("orders", 0), 42L,
                new TopicPartitionId("orders", 1), 0L, new TopicPartitionId("__consumer_offsets", 7), 1_234_567_890_123L);
        OffsetCheckpoints.write(file, offsets);

        assertThat(OffsetCheckpoints.read(file)).isEqualTo(offsets);
        assertThat(Files.readAllLines(file)).hasSize(5).startsWith("0", "3").contains("orders 0 42");
        assertThat(dir.resolve("replication-offset-checkpoint.tmp")).doesNotExist();
    }

    @Test
    void anAbsentFileReadsEmpty() throws IOException {
        assertThat(OffsetCheckpoints.read(dir.resolve("none"))).isEmpty();
    }

    @Test
    void damagedFilesAreRefused() throws IOException {
        Path file = dir.resolve("cp");
        for (String damaged : new String[] {
            "",                                  // empty (a crash before the data reached the disk)
            "0\n",                               // no count
            "0\n2\norders 0 42\n",               // truncated: fewer entries than announced
            "0\n1\norders 0 42\norders 1 43\n",  // more entries than announced: the count was damaged
            "1\n1\norders 0 42\n",               // unknown version
            "0\n1\norders 0 4x2\n",              // bad offset
            "0\n1\norders zero 42\n",            // bad partition
            "0\n1\norders 0\n",                  // missing field
            "0\n1\norders 0 -5\n",               // negative offset
            "0\n1\nor/ders 0 5\n",               // not a topic name
            "\0\0\0\0\0\0",                      // zeroed blocks
        }) {
            Files.writeString(file, damaged);
            assertThatThrownBy(() -> OffsetCheckpoints.read(file)).as("'%s'", damaged)
                    .isInstanceOf(IOException.class).hasMessageContaining(file.toString());
        }
    }
}
