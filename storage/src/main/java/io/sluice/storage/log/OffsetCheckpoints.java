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
 * The per-log-dir offset checkpoints ({@code recovery-point-offset-checkpoint},
 * {@code log-start-offset-checkpoint}) in Kafka's text format: lines {@code <topic> <partition> <offset>}.
 *
 * <p>Stateless; the LogManager serialises writes.
 */
final class OffsetCheckpoints {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetCheckpoints.class);

    private OffsetCheckpoints() {
    }

    /** The offsets in {@code file}; empty if absent. A malformed file is logged and ignored (full recovery). */
    static Map<TopicPartitionId, Long> read(Path file) {
        Map<TopicPartitionId, Long> offsets = new HashMap<>();
        try {
            for (String[] e : CheckpointFile.read(file, 3)) {
                offsets.put(new TopicPartitionId(e[0], Integer.parseInt(e[1])), Long.parseLong(e[2]));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable checkpoint {}: {}; logs in this dir are recovered from their start",
                    file, e.toString());
            return Map.of();
        }
        return offsets;
    }

    static void write(Path file, Map<TopicPartitionId, Long> offsets) throws IOException {
        List<String> lines = new ArrayList<>(offsets.size());
        offsets.forEach((tp, offset) -> lines.add(tp.topic() + " " + tp.partition() + " " + offset));
        CheckpointFile.write(file, lines);
    }
}
