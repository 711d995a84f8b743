package io.sluice.chaos.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a log directory's {@code recovery-point-offset-checkpoint} in Kafka's text format (Sluice's
 * storage writes the same): a version line ({@code 0}), a count line, then one
 * {@code <topic> <partition> <offset>} line per partition. The offset is the first offset NOT yet
 * forced to disk. Stateless.
 */
public final class RecoveryPointCheckpoint {
    public static final String FILE_NAME = "recovery-point-offset-checkpoint";

    private RecoveryPointCheckpoint() { }

    /** Recovery points keyed by partition directory name ({@code topic-N}); empty if the file does not exist or is empty. */
    public static Map<String, Long> read(Path logDir) throws IOException {
        Path file = logDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Map.of();
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) {
            // Kafka creates the file empty at startup and fills it on its first checkpoint.
            return Map.of();
        }
        return parse(lines, file.toString());
    }

    static Map<String, Long> parse(List<String> lines, String source) {
        if (lines.size() < 2) {
            throw new IllegalStateException(source + ": expected version and count lines, got " + lines);
        }
        int version = Integer.parseInt(lines.get(0).trim());
        if (version != 0) {
            throw new IllegalStateException(source + ": unsupported checkpoint version " + version);
        }
        int count = Integer.parseInt(lines.get(1).trim());
        if (lines.size() < 2 + count) {
            throw new IllegalStateException(source + ": count says " + count + " entries, file has "
                    + (lines.size() - 2));
        }
        Map<String, Long> out = new HashMap<>();
        for (int i = 2; i < 2 + count; i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length != 3) {
                throw new IllegalStateException(source + ": bad entry line " + (i + 1) + ": " + lines.get(i));
            }
            out.put(f[0] + "-" + Integer.parseInt(f[1]), Long.parseLong(f[2]));
        }
        return out;
    }
}
