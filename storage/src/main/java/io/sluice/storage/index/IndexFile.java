package io.sluice.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file side both sparse indexes share: an index file holds exactly its entries, fixed-size and
 * back to back ({@link IndexDescriptor}), so writing means appending the entries not yet there and
 * cutting the file to the entry count, and reading means taking whole entries or nothing.
 *
 * <p>Stateless; the caller (an index's one writer, or a loader) serialises access to a file.
 */
final class IndexFile {

    private IndexFile() {
    }

    /**
     * Writes {@code newEntries} (the entries from {@code persistedCount} on, encoded) after the
     * {@code persistedCount} entries already in {@code file}, cuts the file to {@code count} entries
     * of {@code entryBytes} and forces it if asked.
     */
    static void persist(Path file, ByteBuffer newEntries, int persistedCount, int count, int entryBytes, boolean force)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long at = (long) persistedCount * entryBytes;
            while (newEntries.hasRemaining()) {
                at += ch.write(newEntries, at);
            }
            ch.truncate((long) count * entryBytes);
            if (force) {
                ch.force(true);
            }
        }
    }

    /** The bytes of {@code file} if it holds whole entries of {@code entryBytes}; null if absent or torn. */
    static byte[] readWholeEntries(Path file, int entryBytes) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        return bytes.length % entryBytes == 0 ? bytes : null;
    }
}
