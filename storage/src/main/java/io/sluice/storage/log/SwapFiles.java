package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.batch.RecordBatchValidator;
import io.sluice.storage.segment.LogSegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.TreeSet;

/**
 * Finishes, at load, a segment swap the log cleaner had begun (Kafka's LogLoader does the same with
 * its {@code .swap} files). The cleaner writes a group's cleaned segment as {@code <base>.log.cleaned},
 * forces it, renames it to {@code <base>.log.swap} (the commit point), then deletes the group's old
 * segments and renames the swap file to {@code <base>.log}. So at load a {@code .cleaned} file is an
 * unfinished cleaning and is deleted (the old segments are whole), and a {@code .log.swap} file is a
 * finished one: the old segments it replaces, those whose base offset lies in [its base offset, the
 * offset after its last batch), are deleted if still there, and it takes its final name. Its indexes
 * are rebuilt (index files under a swap or cleaned name are deleted). The cleaner always keeps the last
 * batch of a group (emptied if all its records go), so that range covers every segment of the group.
 *
 * <p>Stateless; called by {@link LogLoader} on the loading thread, before any segment is opened.
 */
final class SwapFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SwapFiles.class);

    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    static final String DELETED_SUFFIX = ".deleted";

    private SwapFiles() {
    }

    /**
     * Completes the swap of {@code <base>.log.swap}: deletes the old segments it replaces (their base
     * offsets are removed from {@code bases}) and renames it; {@code base} is then a segment of the log.
     */
    static void complete(Path dir, long base, TreeSet<Long> bases) throws IOException {
        Path swap = dir.resolve(LogSegment.fileName(base, LogSegment.LOG_SUFFIX) + SWAP_SUFFIX);
        long next = nextOffset(swap, base);
        for (Long old : new TreeSet<>(bases.subSet(base, true, next, false))) {
            deleteSegmentFiles(dir, old);
            bases.remove(old);
        }
        deleteSegmentFiles(dir, base);
        Files.move(swap, dir.resolve(LogSegment.fileName(base, LogSegment.LOG_SUFFIX)), StandardCopyOption.ATOMIC_MOVE);
        bases.add(base);
        LOG.info("{}: completed the log cleaner's swap of segment {} (offsets {} to {})", dir.getFileName(), base,
                base, next);
    }

    private static void deleteSegmentFiles(Path dir, long base) throws IOException {
        Files.deleteIfExists(dir.resolve(LogSegment.fileName(base, LogSegment.LOG_SUFFIX)));
        Files.deleteIfExists(dir.resolve(LogSegment.fileName(base, LogSegment.INDEX_SUFFIX)));
        Files.deleteIfExists(dir.resolve(LogSegment.fileName(base, LogSegment.TIME_INDEX_SUFFIX)));
    }

    /**
     * The offset after the last batch of the swap file. It was forced before its rename, so every batch
     * in it is whole; each is still checked, and a bad one is an error (deleting old segments on the
     * word of a damaged file could lose records).
     */
    private static long nextOffset(Path swap, long base) throws IOException {
        try (FileChannel ch = FileChannel.open(swap, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new IOException("swap segment larger than 2 GiB: " + swap);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // reads the whole file: at most one segment.bytes
            }
            RecordBatchHeader h = new RecordBatchHeader();
            long next = base;
            for (int p = 0; p < size; ) {
                short error = RecordBatchValidator.validateBatch(buf, p, (int) size - p, Integer.MAX_VALUE, false);
                if (error != ErrorCode.NONE) {
                    throw new IOException("swap segment " + swap + " has a bad batch at position " + p + ": "
                            + ErrorCode.name(error));
                }
                h.wrap(buf, p);
                next = h.nextOffset();
                p += h.sizeInBytes();
            }
            return next;
        }
    }
}
