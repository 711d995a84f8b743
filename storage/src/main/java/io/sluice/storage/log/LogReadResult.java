package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;

import java.nio.ByteBuffer;

/**
 * Whole batches read from a log, as a read-only slice of a segment mapping (no copy).
 *
 * <p>The slice stays valid until {@link #close()}: the result holds a lease on the mapping, so the
 * mapping bound cannot unmap it under the caller (which would be a SIGSEGV, not an exception).
 * The caller MUST close it exactly once, after the bytes are written out. Not thread-safe: hand it
 * from thread to thread, don't share it.
 */
public final class LogReadResult implements AutoCloseable {

    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

    private final short errorCode;
    private final ByteBuffer records;
    private final long firstOffset;
    private final long nextOffset;
    private final long logStartOffset;
    private final long logEndOffset;
    private Runnable release;

    public LogReadResult(short errorCode, ByteBuffer records, long firstOffset, long nextOffset,
                         long logStartOffset, long logEndOffset, Runnable release) {
        this.errorCode = errorCode;
        this.records = records;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.release = release;
    }

    public static LogReadResult error(short errorCode, long logStartOffset, long logEndOffset) {
        return new LogReadResult(errorCode, EMPTY, -1L, -1L, logStartOffset, logEndOffset, null);
    }

    public static LogReadResult empty(long offset, long logStartOffset, long logEndOffset) {
        return new LogReadResult(ErrorCode.NONE, EMPTY, -1L, offset, logStartOffset, logEndOffset, null);
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

    /** Releases the mapping lease. Idempotent. */
    @Override
    public void close() {
        Runnable r = release;
        release = null;
        if (r != null) {
            r.run();
        }
    }
}
