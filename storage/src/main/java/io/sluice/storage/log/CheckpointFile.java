package io.sluice.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's text checkpoint format, written atomically (temp file, fsync, rename, fsync dir):
 *
 * <pre>
 * 0            version
 * 2            number of entries
 * a b          one entry per line, fields separated by one space
 * c d
 * </pre>
 *
 * Used for {@code recovery-point-offset-checkpoint} and {@code log-start-offset-checkpoint}
 * ({@code <topic> <partition> <offset>}) and {@code leader-epoch-checkpoint} ({@code <epoch> <start offset>}).
 *
 * <p>Stateless; callers serialise writes to one file.
 */
public final class CheckpointFile {

    public static final int VERSION = 0;

    private CheckpointFile() {
    }

    public static void write(Path file, List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(VERSION).append('\n').append(lines.size()).append('\n');
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            var buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(file.getParent());
    }

    /** The entry lines, or an empty list if the file does not exist. */
    public static List<String[]> read(Path file, int fieldsPerLine) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() < 2) {
            throw new IOException("malformed checkpoint " + file + ": fewer than 2 lines");
        }
        int version = parseInt(file, lines.get(0));
        if (version != VERSION) {
            throw new IOException("unknown checkpoint version " + version + " in " + file);
        }
        int count = parseInt(file, lines.get(1));
        // More lines than announced is as suspect as fewer (Kafka refuses both): the count was damaged.
        if (count < 0 || lines.size() != 2 + count) {
            throw new IOException("malformed checkpoint " + file + ": " + count + " entries announced, "
                    + (lines.size() - 2) + " present");
        }
        List<String[]> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String[] fields = lines.get(2 + i).trim().split(" ");
            if (fields.length != fieldsPerLine) {
                throw new IOException("malformed checkpoint " + file + " line " + (3 + i) + ": '" + lines.get(2 + i) + "'");
            }
            entries.add(fields);
        }
        return entries;
    }

    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some filesystems refuse fsync on a directory; the rename is still atomic.
        }
    }

    private static int parseInt(Path file, String s) throws IOException {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IOException("malformed checkpoint " + file + ": '" + s + "'", e);
        }
    }
}
