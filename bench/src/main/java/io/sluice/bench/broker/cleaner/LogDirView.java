package io.sluice.bench.broker.cleaner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What the harness reads of a broker's log directory, from outside the broker, the same way for
 * Kafka and Sluice (both keep Kafka's layout): a partition's segment files, named by their base
 * offset, and the {@code cleaner-offset-checkpoint} file, where the log cleaner records, per
 * compacted partition, the first offset it has not cleaned yet. Kafka's text checkpoint format:
 *
 * <pre>
 * 0                       version
 * 2                       entries
 * topic-a 0 1234          topic, partition, first dirty offset
 * topic-b 3 0
 * </pre>
 *
 * Stateless; reads files a broker is writing, so a partial or absent file counts as "not yet".
 */
public final class LogDirView {
    static final String CHECKPOINT_FILE = "cleaner-offset-checkpoint";
    private static final String LOG_SUFFIX = ".log";

    private final Path logDir;

    /** @param logDir the broker's {@code log.dirs} (a single directory) */
    public LogDirView(Path logDir) {
        this.logDir = logDir;
    }

    /** The cleaner's first dirty offset of the partition, if the checkpoint file holds it. */
    public OptionalLong cleanerCheckpoint(String topic, int partition) throws IOException {
        try {
            return parseCheckpoint(Files.readAllLines(logDir.resolve(CHECKPOINT_FILE)), topic, partition);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The partition's offset in checkpoint lines; empty if absent, or if the file is not (yet) a
     * whole checkpoint (a reader may see it while a broker writes it, though both rename it in place).
     */
    static OptionalLong parseCheckpoint(List<String> lines, String topic, int partition) {
        if (lines.size() < 2 || !lines.get(0).trim().equals("0")) {
            return OptionalLong.empty();
        }
        int entries;
        try {
            entries = Integer.parseInt(lines.get(1).trim());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
        if (lines.size() < 2 + entries) {
            return OptionalLong.empty();
        }
        for (String line : lines.subList(2, 2 + entries)) {
            String[] fields = line.trim().split(" ");
            if (fields.length == 3 && fields[0].equals(topic) && fields[1].equals(Integer.toString(partition))) {
                try {
                    return OptionalLong.of(Long.parseLong(fields[2]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The partition's segments: base offset and bytes of each {@code <base>.log} file, by base offset. */
    public Segments segments(String topic, int partition) throws IOException {
        Path dir = logDir.resolve(topic + "-" + partition);
        try (Stream<Path> files = Files.list(dir)) {
            long[][] found = files.filter(f -> isSegment(f.getFileName().toString())).map(f -> {
                String name = f.getFileName().toString();
                try {
                    return new long[] {Long.parseLong(name.substring(0, name.length() - LOG_SUFFIX.length())), Files.size(f)};
                } catch (IOException e) {
                    return null; // deleted between the listing and the size: the cleaner's swap
                }
            }).filter(s -> s != null).sorted((a, b) -> Long.compare(a[0], b[0])).toArray(long[][]::new);
            return new Segments(found);
        }
    }

    static boolean isSegment(String fileName) {
        return fileName.endsWith(LOG_SUFFIX) && fileName.length() == 20 + LOG_SUFFIX.length()
                && fileName.chars().limit(20).allMatch(Character::isDigit);
    }

    /**
     * A partition's segment files at one moment, by base offset. The last is the active segment:
     * the cleaner never touches it, and its file may be larger than its data (Sluice reserves the
     * space of the segment it writes), so sizes here are of the sealed segments only.
     *
     * @param baseAndBytes {base offset, file bytes} per segment, sorted by base offset
     */
    public record Segments(long[][] baseAndBytes) {
        /** Base offset of the active (last) segment; 0 if there is none. */
        public long activeBaseOffset() {
            return baseAndBytes.length == 0 ? 0 : baseAndBytes[baseAndBytes.length - 1][0];
        }

        /** Bytes of the sealed segments: what a cleaning may rewrite (before) or has left (after). */
        public long sealedBytes() {
            long sum = 0;
            for (int i = 0; i < baseAndBytes.length - 1; i++) {
                sum += baseAndBytes[i][1];
            }
            return sum;
        }

        public int count() {
            return baseAndBytes.length;
        }
    }
}
