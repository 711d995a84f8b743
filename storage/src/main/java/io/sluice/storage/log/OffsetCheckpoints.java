package io.sluice.storage.log;

import io.sluice.storage.TopicPartitionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-log-dir offset checkpoints in Kafka's text format ({@link CheckpointFile}), one line
 * {@code <topic> <partition> <offset>} per partition: storage's {@code recovery-point-offset-checkpoint}
 * and {@code log-start-offset-checkpoint}, and replication's {@code replication-offset-checkpoint}
 * (the high watermarks), so every such file is parsed and written atomically by the same code.
 *
 * <p>Stateless; each file's owner serialises its writes.
 */
public final class OffsetCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetCheckpoints.class);

    private OffsetCheckpoints() {
    }

    /**
     * The offsets in {@code file}; empty if it does not exist.
     *
     * @throws IOException if it cannot be read, is not in Kafka's format, or names a negative offset
     */
    public static Map<TopicPartitionId, Long> read(Path file) throws IOException {
        Map<TopicPartitionId, Long> offsets = new HashMap<>();
        for (String[] e : CheckpointFile.read(file, 3)) {
            TopicPartitionId tp;
            long offset;
            try {
                tp = new TopicPartitionId(e[0], Integer.parseInt(e[1]));
                offset = Long.parseLong(e[2]);
            } catch (IllegalArgumentException bad) { // NumberFormatException or a bad topic name / partition
                throw new IOException("malformed checkpoint " + file + ": entry '" + String.join(" ", e) + "'", bad);
            }
            if (offset < 0) {
                throw new IOException("malformed checkpoint " + file + ": negative offset in '" + String.join(" ", e) + "'");
            }
            offsets.put(tp, offset);
        }
        return offsets;
    }

    /** As {@link #read}, but a file that cannot be read is logged and ignored (its logs are recovered in full). */
    static Map<TopicPartitionId, Long> readOrEmpty(Path file) {
        try {
            return read(file);
        } catch (IOException e) {
            LOG.warn("ignoring unreadable checkpoint {}: {}; logs in this dir are recovered from their start",
                    file, e.toString());
            return Map.of();
        }
    }

    /** Replaces {@code file} atomically with {@code offsets}. */
    public static void write(Path file, Map<TopicPartitionId, Long> offsets) throws IOException {
        List<String> lines = new ArrayList<>(offsets.size());
        offsets.forEach((tp, offset) -> lines.add(tp.topic() + " " + tp.partition() + " " + offset));
        CheckpointFile.write(file, lines);
    }
}
