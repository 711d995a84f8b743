package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.segment.PageCacheOnly;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Whole batches read from a log, as a read-only slice of a segment mapping (no copy), or as a
 * range of the segment file ({@link #openFileSlice()}).
 *
 * <p>The slice stays valid until {@link #close()}: the result holds a lease on the mapping, so the
 * mapping bound cannot unmap it under the caller (which would be a SIGSEGV, not an exception).
 * The caller MUST close it exactly once, after the bytes are written out. Not thread-safe: hand it
 * from thread to thread, don't share it.
 */
public final class LogReadResult implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogReadResult.class);

    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

    private final short errorCode;
    private final ByteBuffer records;
    private final long firstOffset;
    private final long nextOffset;
    private final long logStartOffset;
    private final long logEndOffset;
    private final Path file;
    private final int filePosition;
    private Runnable release;
    private FileChannel fileChannel;

    /**
     * @param file         the segment file the records are a slice of (null when there are none)
     * @param filePosition where in {@code file} the records start
     */
    LogReadResult(short errorCode, ByteBuffer records, long firstOffset, long nextOffset,
                  long logStartOffset, long logEndOffset, Path file, int filePosition, Runnable release) {
        this.errorCode = errorCode;
        this.records = records;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.file = file;
        this.filePosition = filePosition;
        this.release = release;
    }

    public static LogReadResult error(short errorCode, long logStartOffset, long logEndOffset) {
        return new LogReadResult(errorCode, EMPTY, -1L, -1L, logStartOffset, logEndOffset, null, 0, null);
    }

    public static LogReadResult empty(long offset, long logStartOffset, long logEndOffset) {
        return new LogReadResult(ErrorCode.NONE, EMPTY, -1L, offset, logStartOffset, logEndOffset, null, 0, null);
    }

    public short errorCode() {
        return errorCode;
    }

    /** The batches, position 0 to limit; empty at the log end or on error. Valid until {@link #close()}. */
    public ByteBuffer records() {
        if (release == null && records != EMPTY) {
            throw new IllegalStateException("read result already closed");
        }
        return records;
    }

    public int sizeInBytes() {
        return records.remaining();
    }

    /** Base offset of the first batch returned (may be below the offset asked for), -1 if none. */
    public long firstOffset() {
        return firstOffset;
    }

    /** Offset after the last batch returned (where the next read continues). */
    public long nextOffset() {
        return nextOffset;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    /**
     * The records as a range of their segment file, for a caller that sends them with
     * {@code sendfile} instead of from the mapping. The mapping lets go of the range's pages (the
     * page cache keeps them): the caller will not touch them, and a consumer reading a whole log
     * would otherwise leave all of it in the broker's RSS. Empty if the file is already gone
     * (deleted by retention since the read); then send {@link #records()}, which the lease keeps valid.
     */
    public Optional<FileSlice> openFileSlice() {
        if (release == null || file == null || records.remaining() == 0) {
            return Optional.empty();
        }
        if (fileChannel == null) {
            try {
                fileChannel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                // Out of descriptors, say: the mapping still serves the read, but someone should know.
                LOG.warn("cannot open {} to send a read from it; sending from the mapping: {}", file, e.toString());
                return Optional.empty();
            }
            PageCacheOnly.dontNeed(records);
        }
        return Optional.of(new FileSlice(fileChannel, filePosition, records.remaining()));
    }

    /** Releases the mapping lease and closes the file slice's channel. Idempotent. */
    @Override
    public void close() {
        Runnable r = release;
        release = null;
        FileChannel ch = fileChannel;
        fileChannel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // a read-only channel: nothing to lose
            }
        }
        if (r != null) {
            r.run();
        }
    }
}
