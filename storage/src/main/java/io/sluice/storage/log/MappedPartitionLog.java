package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.batch.RecordBatchValidator;
import io.sluice.storage.batch.RecordValidator;
import io.sluice.storage.cleaner.CleanableLog;
import io.sluice.storage.cleaner.CleaningHook;
import io.sluice.storage.cleaner.CleaningStep;
import io.sluice.storage.cleaner.CompactionConfig;
import io.sluice.storage.cleaner.LogCleaner;
import io.sluice.storage.segment.BatchPatch;
import io.sluice.storage.segment.LogSegment;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The {@link PartitionLog} over memory-mapped {@link LogSegment}s (Kafka's UnifiedLog/LocalLog
 * split into: this class for offsets and the append paths, {@link LogSegments} for the segment list
 * and the log start offset, {@link LogReader} for the read paths, {@link LogLoader} for opening and
 * recovery, {@link LogRetention} for what to delete from the front).
 *
 * <p>Mutations hold {@link #lock} (through {@link #underLock}, which also turns an I/O error into an
 * offline log); the segment map is a concurrent skip list and the offsets are volatile, so reads
 * take no lock. Fsync happens outside the lock. See {@link PartitionLog} for the contract.
 *
 * <p>Past the house's ~400 lines because it is the one holder of the log's lock and its volatile
 * end offset and recovery point: every mutation (both appends, roll, truncation, DeleteRecords,
 * retention, flush, close) runs here under that lock, so the invariants between those offsets,
 * the segments and the epoch cache are kept in one file.
 */
public final class MappedPartitionLog implements PartitionLog, CleanableLog {

    private static final Logger LOG = LoggerFactory.getLogger(MappedPartitionLog.class);

    /** An I/O action of the log, for {@link #underLock} and {@link #orOffline}. */
    @FunctionalInterface
    interface IoAction<T> {
        T run() throws IOException;
    }

    private final TopicPartitionId tp;
    private final Path dir;
    private final SegmentEnvironment env;
    private final Clock clock;
    private final LogSegments segments;
    private final LeaderEpochCache epochs;
    private final ReentrantLock lock = new ReentrantLock();
    private final BiConsumer<MappedPartitionLog, IOException> failureHandler;

    private volatile LogConfig config;
    private volatile long logEndOffset;
    private volatile long recoveryPoint;
    private volatile boolean offline;
    private volatile boolean closed;
    /** The lowest end offset a truncation left since the cleaner last asked ({@link #pollTruncatedTo}). */
    private final AtomicLong truncatedTo = new AtomicLong(Long.MAX_VALUE);

    /** One per appending thread (event loops): the record pass reuses its decompression chunk. */
    private static final ThreadLocal<RecordValidator> RECORD_VALIDATORS = ThreadLocal.withInitial(RecordValidator::new);

    // Writer state, guarded by lock.
    private final RecordBatchHeader writerHeader = new RecordBatchHeader();
    private final BatchPatch patch = new BatchPatch();
    private long unflushedMessages;
    private volatile long lastFlushMs;
    /** The answer of an append to a log that is offline or closed (made once: appends are the hot path). */
    private final Supplier<AppendResult> storageError =
            () -> AppendResult.error(ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset());

    MappedPartitionLog(TopicPartitionId tp, Path dir, LogConfig config, SegmentEnvironment env, Clock clock,
                       ConcurrentSkipListMap<Long, LogSegment> segments, LeaderEpochCache epochs,
                       long logStartOffset, long logEndOffset, long recoveryPoint,
                       BiConsumer<MappedPartitionLog, IOException> failureHandler) {
        this.tp = tp;
        this.dir = dir;
        this.config = config;
        this.env = env;
        this.clock = clock;
        this.segments = new LogSegments(segments, logStartOffset, this::createSegment);
        this.epochs = epochs;
        this.logEndOffset = logEndOffset;
        this.recoveryPoint = recoveryPoint;
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
            return AppendResult.error(error, logStartOffset());
        }
        if (batch.remaining() > cfg.segmentBytes()) {
            return AppendResult.error(ErrorCode.RECORD_LIST_TOO_LARGE, logStartOffset());
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
            return AppendResult.error(error, logStartOffset(), records.faultReason());
        }
        long recordsMaxTimestamp = records.maxTimestamp();
        int lastOffsetDelta = batch.getInt(batch.position() + RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET);
        long count = lastOffsetDelta + 1L;
        AppendResult result = underLock(() -> {
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
            return new AppendResult(ErrorCode.NONE, firstOffset, lastOffset, appendTime, logStartOffset(), null);
        }, storageError);
        if (result.errorCode() == ErrorCode.NONE) {
            maybeFlushByMessages(cfg);
        }
        return result;
    }

    @Override
    public AppendResult appendAsFollower(ByteBuffer batches) {
        LogConfig cfg = config;
        int start = batches.position();
        int limit = batches.limit();
        if (start == limit) {
            return new AppendResult(ErrorCode.NONE, -1L, -1L, -1L, logStartOffset(), null);
        }
        // Validate everything before writing anything.
        RecordBatchHeader h = new RecordBatchHeader();
        long previousLast = logEndOffset - 1;
        for (int p = start; p < limit; ) {
            short error = RecordBatchValidator.validateBatch(batches, p, limit - p, cfg.maxMessageBytes(), false);
            if (error != ErrorCode.NONE) {
                return AppendResult.error(error, logStartOffset());
            }
            h.wrap(batches, p);
            if (h.sizeInBytes() > cfg.segmentBytes()) {
                return AppendResult.error(ErrorCode.RECORD_LIST_TOO_LARGE, logStartOffset());
            }
            if (h.baseOffset() <= previousLast) {
                return AppendResult.error(ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset()); // Kafka: UnexpectedAppendOffset
            }
            previousLast = h.lastOffset();
            p += h.sizeInBytes();
        }
        long now = clock.millis();
        AppendResult result = underLock(() -> {
            if (batches.getLong(start) < logEndOffset) {
                return AppendResult.error(ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset());
            }
            long first = batches.getLong(start);
            long messages = 0;
            for (int p = start; p < limit; ) {
                h.wrap(batches, p);
                int size = h.sizeInBytes();
                long base = h.baseOffset();
                long last = h.lastOffset();
                int epoch = h.partitionLeaderEpoch();
                messages += h.recordCount();
                ByteBuffer one = batches.duplicate().limit(p + size).position(p);
                LogSegment segment = maybeRoll(size, now, base, last, cfg);
                segment.append(one, null, cfg.indexIntervalBytes(), now, writerHeader);
                if (epoch > epochs.latestEpoch()) {
                    epochs.assign(epoch, base);
                }
                logEndOffset = last + 1;
                p += size;
            }
            unflushedMessages += messages;
            return new AppendResult(ErrorCode.NONE, first, logEndOffset - 1, -1L, logStartOffset(), null);
        }, storageError);
        if (result.errorCode() == ErrorCode.NONE) {
            maybeFlushByMessages(cfg);
        }
        return result;
    }

    /** Rolls if the batch does not fit, the segment is old, its index is full or offsets would overflow. */
    private LogSegment maybeRoll(int size, long now, long baseOffset, long lastOffset, LogConfig cfg)
            throws IOException {
        LogSegment segment = segments.active();
        boolean gap = baseOffset != logEndOffset;
        // A gap (a compacted leader's) may stay inside a segment of a compacted log, whose recovery
        // allows gaps; elsewhere it starts a new segment, so segments stay contiguous.
        if (segment.size() > 0 && ((gap && !cfg.cleanupCompact())
                || (long) segment.size() + size > cfg.segmentBytes()
                || (segment.rollStartMs() >= 0 && now - segment.rollStartMs() > cfg.segmentMs())
                || segment.isOffsetIndexFull()
                || lastOffset - segment.baseOffset() > Integer.MAX_VALUE)) {
            segment = rollAt(baseOffset);
        } else if (gap && segment.size() == 0) {
            // Empty active segment at the wrong base (follower jumped ahead): replace it.
            segment = rollAt(baseOffset);
        }
        return segment;
    }

    /** Seals the active segment and starts a new one at {@code baseOffset}. Holds the lock. */
    private LogSegment rollAt(long baseOffset) throws IOException {
        LogSegment segment = segments.roll(baseOffset);
        LOG.debug("{}: rolled new segment at offset {}", tp, baseOffset);
        return segment;
    }

    /** A new, empty, active segment at {@code baseOffset}, with the config in force now. */
    private LogSegment createSegment(long baseOffset) throws IOException {
        LogConfig cfg = config;
        return LogSegment.create(dir, baseOffset, env, cfg.offsetIndexEntriesMax(), cfg.indexIntervalBytes(),
                cfg.segmentBytes());
    }

    @Override
    public void roll() {
        underLock(() -> segments.active().size() > 0 ? rollAt(logEndOffset) : null, () -> null);
    }

    // ---------------------------------------------------------------- read

    @Override
    public LogReadResult read(long offset, int maxBytes, boolean minOneMessage) {
        return read(offset, maxBytes, minOneMessage, Long.MAX_VALUE);
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
    public long firstBatchOffsetAtOrAfter(long timestamp) {
        return LogReader.firstBatchOffsetAtOrAfter(this, timestamp);
    }

    @Override
    public void scanBatchHeaders(long fromOffset, BatchHeaderVisitor visitor) {
        LogReader.scanBatchHeaders(this, fromOffset, visitor);
    }

    @Override
    public long logStartOffset() {
        return segments.logStartOffset();
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
        return segments.sizeInBytes();
    }

    /** Disk space reserved ahead of the writer in the active segment and not written yet. */
    public long reservedAheadBytes() {
        LogSegment active = segments.active();
        return Math.max(0, active.reservedBytes() - active.size());
    }

    @Override
    public long bytesFrom(long offset) {
        return LogReader.bytesFrom(this, offset);
    }

    @Override
    public int segmentCount() {
        return segments.count();
    }

    /** Segment base offsets, for tests and tools. */
    public List<Long> segmentBaseOffsets() {
        return segments.baseOffsets();
    }

    /** The segments and the log start offset, for the read paths. */
    LogSegments segments() {
        return segments;
    }

    /** The leader epoch of the batch holding {@code offset}, for ListOffsets. */
    int epochForOffset(long offset) {
        return epochs.epochForOffset(offset);
    }

    // ---------------------------------------------------------------- truncation, deletion, epochs

    @Override
    public DeleteRecordsResult deleteRecords(long offset) {
        return underLock(() -> {
            if (offset > logEndOffset || offset < 0) {
                return new DeleteRecordsResult(ErrorCode.OFFSET_OUT_OF_RANGE, logStartOffset());
            }
            if (segments.raiseLogStartOffset(offset)) {
                epochs.truncateFromStart(offset);
                segments.deleteBelowLogStartOffset();
            }
            return new DeleteRecordsResult(ErrorCode.NONE, logStartOffset());
        }, () -> new DeleteRecordsResult(ErrorCode.KAFKA_STORAGE_ERROR, logStartOffset()));
    }

    @Override
    public long truncateTo(long offset) {
        return underLock(() -> {
            if (offset >= logEndOffset) {
                return logEndOffset;
            }
            if (offset < 0) {
                throw new IllegalArgumentException("truncateTo(" + offset + ") on " + tp);
            }
            if (segments.firstBaseOffset() > offset) {
                emptyAndStartAt(offset);
                return offset;
            }
            // Lower the end offset first: readers then stop short of what is being removed.
            logEndOffset = Math.min(logEndOffset, offset);
            LogSegment last = segments.deleteAfterAndReactivate(offset, clock.millis(), config.segmentBytes());
            long newEnd = last.truncateTo(offset, writerHeader);
            if (newEnd >= 0) {
                logEndOffset = newEnd;
            } else {
                logEndOffset = Math.min(logEndOffset, offset);
            }
            recoveryPoint = Math.min(recoveryPoint, logEndOffset);
            segments.lowerLogStartOffsetTo(logEndOffset);
            epochs.truncateFromEnd(logEndOffset);
            truncatedTo.accumulateAndGet(logEndOffset, Math::min);
            LOG.info("{}: truncated to offset {} (asked {})", tp, logEndOffset, offset);
            return logEndOffset;
        }, () -> logEndOffset);
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("truncateFullyAndStartAt(" + offset + ") on " + tp);
        }
        underLock(() -> {
            emptyAndStartAt(offset);
            return null;
        }, () -> null);
    }

    /** Deletes every segment and restarts the log, empty, at {@code offset}. Holds the lock. */
    private void emptyAndStartAt(long offset) throws IOException {
        truncatedTo.accumulateAndGet(offset, Math::min);
        segments.restartAt(offset);
        logEndOffset = offset;
        recoveryPoint = offset;
        epochs.clear();
        LOG.info("{}: emptied, restarting at offset {}", tp, offset);
    }

    @Override
    public void assignEpochStartOffset(int epoch, long startOffset) {
        orOffline(() -> {
            epochs.assign(epoch, startOffset);
            return null;
        }, () -> null);
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
        if (cfg.flushMessages() != Long.MAX_VALUE && unflushedMessagesUnderLock() >= cfg.flushMessages()) {
            flush();
        }
    }

    /** The writer's count of messages since the last flush, read under the lock that guards it. */
    private long unflushedMessagesUnderLock() {
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
        List<LogSegment> toForce = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        Long target = underLock(() -> {
            for (LogSegment s : segments.from(recoveryPoint)) {
                if (s.hasUnflushed() || s.isActive()) {
                    toForce.add(s);
                    sizes.add(s.prepareFlush());
                }
            }
            unflushedMessages = 0;
            return logEndOffset;
        }, () -> null);
        if (target == null) {
            return;
        }
        long startNs = System.nanoTime();
        boolean forced = orOffline(() -> {
            for (int i = 0; i < toForce.size(); i++) {
                toForce.get(i).force(sizes.get(i));
            }
            return true;
        }, () -> false);
        if (!forced) {
            return;
        }
        env.flushTimer().flushed(System.nanoTime() - startNs);
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
        return underLock(() -> {
            LogSegment lastDoomed = LogRetention.lastDeletable(segments, config, nowMs);
            if (lastDoomed == null) {
                return 0;
            }
            if (lastDoomed == segments.active()) {
                rollAt(logEndOffset); // every segment goes: the log keeps an empty active one at its end
            }
            int deleted = segments.deleteUpTo(lastDoomed);
            epochs.truncateFromStart(logStartOffset());
            LOG.info("{}: retention deleted {} segment(s); log start offset now {}", tp, deleted, logStartOffset());
            return deleted;
        }, () -> 0);
    }

    @Override
    public boolean isOffline() {
        return offline;
    }

    // ---------------------------------------------------------------- the log cleaner's view (CleanableLog)

    @Override
    public CompactionConfig compactionConfig() {
        return config.compactionConfig();
    }

    @Override
    public List<LogSegment> segmentsSnapshot() {
        return new ArrayList<>(segments.all());
    }

    @Override
    public SegmentEnvironment segmentEnvironment() {
        return env;
    }

    @Override
    public void failed(IOException e) {
        fail(e);
    }

    @Override
    public long pollTruncatedTo() {
        return truncatedTo.getAndSet(Long.MAX_VALUE);
    }

    @Override
    public boolean isUnavailable() {
        return offline || closed;
    }

    /**
     * The cleaned segment was forced whole: if everything before it is durable too (the recovery point
     * reaches it, or it is the first segment), so is everything up to the next segment. Recovery then
     * never revalidates it, which also keeps its offset gaps safe if the log stops being compacted.
     */
    private void raiseRecoveryPointPast(LogSegment cleaned) {
        Long next = segments.nextBaseOffsetAfter(cleaned.baseOffset());
        if (next != null && (recoveryPoint >= cleaned.baseOffset() || cleaned.baseOffset() == segments.firstBaseOffset())) {
            recoveryPoint = Math.max(recoveryPoint, Math.min(next, logEndOffset));
        }
    }

    /**
     * Kafka's LocalLog.replaceSegments, under the log's lock: renames the cleaned segment to
     * {@code .swap} and forces the dir (the commit point: from here a crash completes the swap at
     * load, {@link SwapFiles}), swaps it into the map, deletes the old segments (a reader holding a
     * lease keeps reading the unlinked files), renames it to its final names and forces the dir.
     * The renames and dir fsyncs are the only I/O under the lock; the cleaned bytes were forced before.
     */
    @Override
    public boolean replaceSegments(LogSegment cleaned, List<LogSegment> replaced, CleaningHook hook)
            throws IOException {
        lock.lock();
        boolean inMap = false;
        boolean oldDeleted = false;
        try {
            if (offline || closed || !segments.holdsSealed(replaced)
                    || cleaned.baseOffset() != replaced.get(0).baseOffset()) {
                return false;
            }
            cleaned.changeFileSuffixes(LogCleaner.CLEANED_SUFFIX, SwapFiles.SWAP_SUFFIX);
            LogLoader.forceDir(dir);
            hook.reached(CleaningStep.RENAMED_TO_SWAP);
            segments.replace(cleaned, replaced);
            inMap = true;
            hook.reached(CleaningStep.SWAPPED_IN);
            for (LogSegment s : replaced) {
                s.delete();
            }
            oldDeleted = true;
            hook.reached(CleaningStep.OLD_DELETED);
            cleaned.changeFileSuffixes(SwapFiles.SWAP_SUFFIX, "");
            LogLoader.forceDir(dir);
            raiseRecoveryPointPast(cleaned);
            hook.reached(CleaningStep.DONE);
            return true;
        } finally {
            if (inMap && !oldDeleted) {
                // Stopped between the swap and the deletion (an I/O error, or a test's crash): the old
                // segments are out of the map, so the log will not close them; their files stay for the
                // load to settle.
                for (LogSegment s : replaced) {
                    if (!s.isDeleted()) {
                        s.closeQuietly();
                    }
                }
            }
            lock.unlock();
        }
    }

    /**
     * Runs {@code mutation} under the lock while the log is open and online. Otherwise, and after
     * an I/O error (which takes the log offline), answers what {@code unavailable} gives.
     */
    private <T> T underLock(IoAction<T> mutation, Supplier<T> unavailable) {
        lock.lock();
        try {
            return offline || closed ? unavailable.get() : orOffline(mutation, unavailable);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code action}; an I/O error takes the log offline (and is reported, see {@link #fail})
     * and answers what {@code onFailure} gives. The one place the log turns an IOException into
     * an offline log.
     */
    <T> T orOffline(IoAction<T> action, Supplier<T> onFailure) {
        try {
            return action.run();
        } catch (IOException e) {
            fail(e);
            return onFailure.get();
        }
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
            for (LogSegment s : segments.all()) {
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
            for (LogSegment s : segments.all()) {
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
        return "MappedPartitionLog{" + tp + ", lso=" + logStartOffset() + ", leo=" + logEndOffset
                + ", segments=" + segments.count() + "}";
    }
}
