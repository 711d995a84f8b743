package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.batch.RecordBatchValidator;
import io.sluice.storage.batch.RecordValidator;
import io.sluice.storage.segment.BatchPatch;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.MappedRegion;
import io.sluice.storage.segment.SegmentEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The {@link PartitionLog} over memory-mapped {@link LogSegment}s (Kafka's UnifiedLog/LocalLog
 * split into: this class for offsets and the append/read paths, {@link LogLoader} for opening and
 * recovery, {@link LogRetention} for deleting from the front).
 *
 * <p>Mutations hold {@link #lock}; the segment map is a concurrent skip list and the offsets are
 * volatile, so reads take no lock. Fsync happens outside the lock. See {@link PartitionLog} for the
 * contract.
 */
public final class MappedPartitionLog implements PartitionLog {

    private static final Logger LOG = LoggerFactory.getLogger(MappedPartitionLog.class);

    final TopicPartitionId tp;
    final Path dir;
    final SegmentEnvironment env;
    final Clock clock;
    final ConcurrentSkipListMap<Long, LogSegment> segments;
    final LeaderEpochCache epochs;
    final ReentrantLock lock = new ReentrantLock();
    private final BiConsumer<MappedPartitionLog, IOException> failureHandler;

    volatile LogConfig config;
    volatile LogSegment active;
    volatile long logEndOffset;
    volatile long logStartOffset;
    volatile long recoveryPoint;
    private volatile boolean offline;
    private volatile boolean closed;

    /** One per appending thread (event loops): the record pass reuses its decompression chunk. */
    private static final ThreadLocal<RecordValidator> RECORD_VALIDATORS = ThreadLocal.withInitial(RecordValidator::new);

    // Writer state, guarded by lock.
    private final RecordBatchHeader writerHeader = new RecordBatchHeader();
    private final BatchPatch patch = new BatchPatch();
    private long unflushedMessages;
    private volatile long lastFlushMs;

    MappedPartitionLog(TopicPartitionId tp, Path dir, LogConfig config, SegmentEnvironment env, Clock clock,
                       ConcurrentSkipListMap<Long, LogSegment> segments, LeaderEpochCache epochs,
                       long logStartOffset, long logEndOffset, long recoveryPoint,
                       BiConsumer<MappedPartitionLog, IOException> failureHandler) {
        this.tp = tp;
        this.dir = dir;
        this.config = config;
        this.env = env;
        this.clock = clock;
        this.segments = segments;
        this.epochs = epochs;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.recoveryPoint = recoveryPoint;
        this.active = segments.lastEntry().getValue();
        this.failureHandler = failureHandler;
        this.lastFlushMs = clock.millis();
    }

    @Override
    public TopicPartitionId topicPartition() {
        return tp;
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public LogConfig config() {
        return config;
    }

    @Override
    public void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    // ---------------------------------------------------------------- append

    @Override
    public AppendResult append(ByteBuffer batch, int leaderEpoch) {
        LogConfig cfg = config;
        short error = RecordBatchValidator.validateSingleBatch(batch, cfg.maxMessageBytes());
        if (error != ErrorCode.NONE) {
            LOG.debug("{}: refused batch of {} bytes: {}", tp, batch.remaining(), ErrorCode.name(error));
            return AppendResult.error(error, logStartOffset);
        }
        if (batch.remaining() > cfg.segmentBytes()) {
            return AppendResult.error(ErrorCode.RECORD_LIST_TOO_LARGE, logStartOffset);
        }
        long now = clock.millis();
        // The record pass reads the request's bytes before the lock: it is the costly part and
        // needs nothing of the log's state.
        RecordValidator records = RECORD_VALIDATORS.get();
        error = records.validate(batch, batch.position(), now, cfg.logAppendTime(), cfg.timestampBeforeMaxMs(),
                cfg.timestampAfterMaxMs(), cfg.cleanupCompact());
        if (error != ErrorCode.NONE) {
            LOG.debug("{}: refused batch of {} bytes: {} ({})", tp, batch.remaining(), ErrorCode.name(error),
                    records.faultReason());
            return AppendResult.error(error, logStartOffset, records.faultReason());
        }
        long recordsMaxTimestamp = records.maxTimestamp();
        int lastOffsetDelta = batch.getInt(batch.position() + RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET);
        long count = lastOffsetDelta + 1L;
        AppendResult result;
        lock.lock();
        try {
            if (offline || closed) {
                return AppendResult.error(ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset);
            }
            long firstOffset = logEndOffset;
            long lastOffset = firstOffset + lastOffsetDelta;
            long appendTime = cfg.logAppendTime() ? now : -1L;
            LogSegment segment = maybeRoll(batch.remaining(), now, firstOffset, lastOffset, cfg);
            segment.append(batch, patch.set(firstOffset, leaderEpoch, appendTime, recordsMaxTimestamp),
                    cfg.indexIntervalBytes(), now, writerHeader);
            if (leaderEpoch > epochs.latestEpoch()) {
                epochs.assign(leaderEpoch, firstOffset);
            }
            logEndOffset = lastOffset + 1;
            unflushedMessages += count;
            result = new AppendResult(ErrorCode.NONE, firstOffset, lastOffset, appendTime, logStartOffset, null);
        } catch (IOException e) {
            fail(e);
            return AppendResult.error(ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset);
        } finally {
            lock.unlock();
        }
        maybeFlushByMessages(cfg);
        return result;
    }

    @Override
    public AppendResult appendAsFollower(ByteBuffer batches) {
        LogConfig cfg = config;
        int start = batches.position();
        int limit = batches.limit();
        if (start == limit) {
            return new AppendResult(ErrorCode.NONE, -1L, -1L, -1L, logStartOffset, null);
        }
        // Validate everything before writing anything.
        RecordBatchHeader h = new RecordBatchHeader();
        long previousLast = logEndOffset - 1;
        for (int p = start; p < limit; ) {
            short error = RecordBatchValidator.validateBatch(batches, p, limit - p, cfg.maxMessageBytes(), false);
            if (error != ErrorCode.NONE) {
                return AppendResult.error(error, logStartOffset);
            }
            h.wrap(batches, p);
            if (h.sizeInBytes() > cfg.segmentBytes()) {
                return AppendResult.error(ErrorCode.RECORD_LIST_TOO_LARGE, logStartOffset);
            }
            if (h.baseOffset() <= previousLast) {
                return AppendResult.error(ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset); // Kafka: UnexpectedAppendOffset
            }
            previousLast = h.lastOffset();
            p += h.sizeInBytes();
        }
        long now = clock.millis();
        long first;
        lock.lock();
        try {
            if (offline || closed) {
                return AppendResult.error(ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset);
            }
            if (batches.getLong(start) < logEndOffset) {
                return AppendResult.error(ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset);
            }
            first = batches.getLong(start);
            long messages = 0;
            for (int p = start; p < limit; ) {
                h.wrap(batches, p);
                int size = h.sizeInBytes();
                long base = h.baseOffset();
                long last = h.lastOffset();
                int epoch = h.partitionLeaderEpoch();
                messages += h.recordCount();
                ByteBuffer one = batches.duplicate().limit(p + size).position(p);
                // A gap in offsets (a compacted leader) starts a new segment: segments stay contiguous.
                LogSegment segment = maybeRoll(size, now, base, last, cfg);
                segment.append(one, null, cfg.indexIntervalBytes(), now, writerHeader);
                if (epoch > epochs.latestEpoch()) {
                    epochs.assign(epoch, base);
                }
                logEndOffset = last + 1;
                p += size;
            }
            unflushedMessages += messages;
        } catch (IOException e) {
            fail(e);
            return AppendResult.error(ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset);
        } finally {
            lock.unlock();
        }
        maybeFlushByMessages(cfg);
        return new AppendResult(ErrorCode.NONE, first, logEndOffset - 1, -1L, logStartOffset, null);
    }

    /** Rolls if the batch does not fit, the segment is old, its index is full or offsets would overflow. */
    private LogSegment maybeRoll(int size, long now, long baseOffset, long lastOffset, LogConfig cfg)
            throws IOException {
        LogSegment segment = active;
        boolean gap = baseOffset != logEndOffset;
        if (segment.size() > 0 && (gap
                || (long) segment.size() + size > cfg.segmentBytes()
                || (segment.rollStartMs() >= 0 && now - segment.rollStartMs() > cfg.segmentMs())
                || segment.isOffsetIndexFull()
                || lastOffset - segment.baseOffset() > Integer.MAX_VALUE)) {
            segment = rollAt(baseOffset);
        } else if (gap) {
            // Empty active segment at the wrong base (follower jumped ahead): replace it.
            segment = rollAt(baseOffset);
        }
        return segment;
    }

    /** Seals the active segment and starts a new one at {@code baseOffset}. Holds the lock. */
    private LogSegment rollAt(long baseOffset) throws IOException {
        LogSegment old = active;
        LogConfig cfg = config;
        if (old.size() == 0) {
            segments.remove(old.baseOffset());
            old.delete();
        } else {
            old.seal();
        }
        LogSegment segment = LogSegment.create(dir, baseOffset, env, cfg.offsetIndexEntriesMax(), cfg.indexIntervalBytes(),
                cfg.segmentBytes());
        segments.put(baseOffset, segment);
        active = segment;
        if (logStartOffset < segments.firstKey()) {
            logStartOffset = segments.firstKey(); // the only (empty) segment was replaced further on
        }
        LOG.debug("{}: rolled new segment at offset {}", tp, baseOffset);
        return segment;
    }

    /** Retention is about to delete every segment: start a fresh active one at the end offset. */
    void rollForRetention() throws IOException {
        if (active.size() > 0) {
            rollAt(logEndOffset);
        }
    }

    @Override
    public void roll() {
        lock.lock();
        try {
            if (!offline && !closed && active.size() > 0) {
                rollAt(logEndOffset);
            }
        } catch (IOException e) {
            fail(e);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- read

    @Override
    public LogReadResult read(long offset, int maxBytes, boolean minOneMessage) {
        return LogReader.read(this, offset, maxBytes, minOneMessage, Long.MAX_VALUE);
    }

    @Override
    public LogReadResult read(long offset, int maxBytes, boolean minOneMessage, long maxOffsetExclusive) {
        return LogReader.read(this, offset, maxBytes, minOneMessage, maxOffsetExclusive);
    }

    @Override
    public TimestampOffset offsetForTimestamp(long timestamp) {
        return LogReader.offsetForTimestamp(this, timestamp);
    }

    @Override
    public void scanBatchHeaders(long fromOffset, BatchHeaderVisitor visitor) {
        LogReader.scanBatchHeaders(this, fromOffset, visitor);
    }

    @Override
    public long logStartOffset() {
        return logStartOffset;
    }

    @Override
    public long logEndOffset() {
        return logEndOffset;
    }

    @Override
    public long recoveryPoint() {
        return recoveryPoint;
    }

    @Override
    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
    }

    @Override
    public int segmentCount() {
        return segments.size();
    }

    /** Segment base offsets, for tests and tools. */
    public List<Long> segmentBaseOffsets() {
        return new ArrayList<>(segments.keySet());
    }

    // ---------------------------------------------------------------- truncation, deletion, epochs

    @Override
    public DeleteRecordsResult deleteRecords(long offset) {
        lock.lock();
        try {
            if (offline || closed) {
                return new DeleteRecordsResult(ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset);
            }
            if (offset > logEndOffset || offset < 0) {
                return new DeleteRecordsResult(ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset);
            }
            if (offset > logStartOffset) {
                logStartOffset = offset;
                epochs.truncateFromStart(offset);
                LogRetention.deleteSegmentsBelowStartOffset(this);
            }
            return new DeleteRecordsResult(ErrorCode.NONE, logStartOffset);
        } catch (IOException e) {
            fail(e);
            return new DeleteRecordsResult(ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long truncateTo(long offset) {
        lock.lock();
        try {
            if (offline || closed || offset >= logEndOffset) {
                return logEndOffset;
            }
            if (offset < 0) {
                throw new IllegalArgumentException("truncateTo(" + offset + ") on " + tp);
            }
            if (segments.firstKey() > offset) {
                emptyAndStartAt(offset);
                return offset;
            }
            // Lower the end offset first: readers then stop short of what is being removed.
            logEndOffset = Math.min(logEndOffset, offset);
            for (Long base : new ArrayList<>(segments.tailMap(offset, false).keySet())) {
                segments.remove(base).delete();
            }
            LogSegment last = segments.lastEntry().getValue();
            last.activate(clock.millis(), config.segmentBytes());
            active = last;
            long newEnd = last.truncateTo(offset, writerHeader);
            if (newEnd >= 0) {
                logEndOffset = newEnd;
            } else {
                logEndOffset = Math.min(logEndOffset, offset);
            }
            recoveryPoint = Math.min(recoveryPoint, logEndOffset);
            logStartOffset = Math.min(logStartOffset, logEndOffset);
            epochs.truncateFromEnd(logEndOffset);
            LOG.info("{}: truncated to offset {} (asked {})", tp, logEndOffset, offset);
            return logEndOffset;
        } catch (IOException e) {
            fail(e);
            return logEndOffset;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("truncateFullyAndStartAt(" + offset + ") on " + tp);
        }
        lock.lock();
        try {
            if (!offline && !closed) {
                emptyAndStartAt(offset);
            }
        } catch (IOException e) {
            fail(e);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every segment and restarts the log, empty, at {@code offset}. Holds the lock. */
    private void emptyAndStartAt(long offset) throws IOException {
        for (LogSegment s : new ArrayList<>(segments.values())) {
            s.delete();
        }
        segments.clear();
        LogConfig cfg = config;
        LogSegment segment = LogSegment.create(dir, offset, env, cfg.offsetIndexEntriesMax(), cfg.indexIntervalBytes(),
                cfg.segmentBytes());
        segments.put(offset, segment);
        active = segment;
        logEndOffset = offset;
        logStartOffset = offset;
        recoveryPoint = offset;
        epochs.clear();
        LOG.info("{}: emptied, restarting at offset {}", tp, offset);
    }

    @Override
    public void assignEpochStartOffset(int epoch, long startOffset) {
        try {
            epochs.assign(epoch, startOffset);
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return epochs.endOffsetFor(epoch, logEndOffset);
    }

    @Override
    public int latestEpoch() {
        return epochs.latestEpoch();
    }

    /** Epoch → start offset, for tests and tools. */
    public Map<Integer, Long> epochEntries() {
        return epochs.entries();
    }

    // ---------------------------------------------------------------- flush, retention, close

    private void maybeFlushByMessages(LogConfig cfg) {
        if (cfg.flushMessages() != Long.MAX_VALUE && unflushedMessagesRacy() >= cfg.flushMessages()) {
            flush();
        }
    }

    private long unflushedMessagesRacy() {
        lock.lock();
        try {
            return unflushedMessages;
        } finally {
            lock.unlock();
        }
    }

    /** flush.ms: flushes if the last flush is older than flush.ms and something is unflushed. */
    public void flushIfDue(long nowMs) {
        LogConfig cfg = config;
        if (cfg.flushMs() != Long.MAX_VALUE && nowMs - lastFlushMs >= cfg.flushMs() && recoveryPoint < logEndOffset) {
            flush();
        }
    }

    @Override
    public void flush() {
        long target;
        List<LogSegment> toForce = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        lock.lock();
        try {
            if (offline || closed) {
                return;
            }
            target = logEndOffset;
            Long from = segments.floorKey(recoveryPoint);
            for (LogSegment s : (from == null ? segments : segments.tailMap(from, true)).values()) {
                if (s.hasUnflushed() || s.isActive()) {
                    toForce.add(s);
                    sizes.add(s.prepareFlush());
                }
            }
            unflushedMessages = 0;
        } catch (IOException e) {
            fail(e);
            return;
        } finally {
            lock.unlock();
        }
        try {
            for (int i = 0; i < toForce.size(); i++) {
                toForce.get(i).force(sizes.get(i));
            }
        } catch (IOException e) {
            fail(e);
            return;
        }
        lock.lock();
        try {
            if (target > recoveryPoint && target <= logEndOffset) {
                recoveryPoint = target;
            }
            lastFlushMs = clock.millis();
        } finally {
            lock.unlock();
        }
    }

    /** One retention pass (retention.ms, retention.bytes, log start offset); returns segments deleted. */
    public int deleteOldSegments(long nowMs) {
        lock.lock();
        try {
            if (offline || closed) {
                return 0;
            }
            return LogRetention.deleteOldSegments(this, nowMs);
        } catch (IOException e) {
            fail(e);
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isOffline() {
        return offline;
    }

    /** Takes the log offline after an I/O error and reports it; nothing more is written. */
    void fail(IOException e) {
        if (!offline) {
            offline = true;
            LOG.error("{}: I/O error in log dir {}; partition is offline", tp, dir.getParent(), e);
            failureHandler.accept(this, e);
        }
    }

    /** Marks the log offline because its log dir failed elsewhere. */
    void markOffline() {
        offline = true;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
        } finally {
            lock.unlock();
        }
        if (!offline) {
            flush();
        }
        lock.lock();
        try {
            closed = true;
            for (LogSegment s : segments.values()) {
                try {
                    if (offline) {
                        s.closeQuietly();
                    } else {
                        s.close();
                    }
                } catch (IOException e) {
                    LOG.error("{}: closing segment {} failed: {}", tp, s.logFile(), e.toString());
                    s.closeQuietly();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Simulates a crash (tests): releases mappings and files without flushing, writing indexes or
     * trimming, as if the process had died; the files keep what the page cache holds.
     */
    void crashClose() {
        lock.lock();
        try {
            closed = true;
            for (LogSegment s : segments.values()) {
                s.closeQuietly();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "MappedPartitionLog{" + tp + ", lso=" + logStartOffset + ", leo=" + logEndOffset
                + ", segments=" + segments.size() + "}";
    }
}
