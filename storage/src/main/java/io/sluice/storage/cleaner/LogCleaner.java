package io.sluice.storage.cleaner;

import io.sluice.storage.batch.RecordBatchFilter;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.MappedRegion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.sluice.storage.batch.RecordBatchDescriptor.HEADER_LENGTH;
import static io.sluice.storage.batch.RecordBatchDescriptor.NO_TIMESTAMP;

/**
 * Cleans one log (Kafka's {@code Cleaner.doClean}): maps the dirty section's keys to their latest
 * offsets ({@link OffsetMapBuilder}, bounded by the offset map), then rewrites the log from its first
 * segment up to where the map ends, a group of segments at a time, each group into one segment of at
 * most {@code segment.bytes}:
 * <ul>
 *   <li>a record is kept if it is the latest of its key, or lies past the mapped range; a keyless
 *       record goes (a compacted topic refuses them at produce time);</li>
 *   <li>a tombstone (null value) is kept until its batch's delete horizon (KIP-534): the first
 *       cleaning that keeps it writes {@code now + delete.retention.ms} into the batch, a cleaning
 *       after that time drops it;</li>
 *   <li>a batch that lost records is rewritten with the rest ({@link RecordBatchFilter}: same offsets,
 *       codec, producer fields); one that lost none and needs no horizon is copied byte for byte;
 *       one that lost all is dropped, unless it is its producer's last batch or its group's last
 *       batch, which stay as empty headers.</li>
 * </ul>
 * Keeping a group's last batch is Sluice's: it makes the cleaned segment end where the group ended, so
 * a crash between the swap's steps is completed at load over exactly the group's segments.
 * Each group's cleaned segment is written as {@code .cleaned}, forced, and swapped in by the log
 * ({@link CleanableLog#replaceSegments}).
 *
 * <p>Not thread-safe: one per cleaner thread (its offset map and buffers are reused).
 */
public final class LogCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    /** Kafka's suffix of a cleaned segment before its swap. */
    public static final String CLEANED_SUFFIX = ".cleaned";

    private final OffsetMap map;
    private final RecordBatchFilter filter = new RecordBatchFilter();
    private final OffsetMapBuilder mapBuilder = new OffsetMapBuilder(filter);
    private final RecordBatchHeader header = new RecordBatchHeader();
    private final RecordBatchHeader appendHeader = new RecordBatchHeader();
    private final Throttler throttler;
    private final CleaningHook hook;

    /** A cleaner with its own offset map of {@code offsetMapBytes} (its thread's share of the dedupe buffer). */
    public LogCleaner(long offsetMapBytes, double loadFactor, CleaningHook hook) {
        this(new OffsetMap(offsetMapBytes, loadFactor), new Throttler(Double.MAX_VALUE, System::currentTimeMillis,
                Thread::sleep), hook);
    }

    LogCleaner(OffsetMap map, Throttler throttler, CleaningHook hook) {
        this.map = map;
        this.throttler = throttler;
        this.hook = hook;
    }

    /**
     * Cleans {@code log} with [{@code firstDirty}, {@code firstUncleanable}) as its dirty section.
     *
     * @param aborted checked between batches; true stops the cleaning (nothing is swapped in after it)
     */
    public CleaningResult clean(CleanableLog log, long firstDirty, long firstUncleanable, long nowMs,
                                java.util.function.BooleanSupplier aborted)
            throws IOException, InterruptedException, LogCleaningAbortedException {
        OffsetMapBuilder.Progress progress = bytes -> {
            if (aborted.getAsBoolean()) {
                throw new LogCleaningAbortedException("cleaning of " + log.topicPartition() + " aborted");
            }
            throttler.maybeThrottle(bytes);
        };
        List<LogSegment> all = log.segmentsSnapshot();
        try {
            return clean(log, all, firstDirty, firstUncleanable, nowMs, progress);
        } catch (IOException e) {
            for (LogSegment s : all) {
                if (s.isDeleted()) {
                    // Retention or truncation deleted a segment being read: not a disk fault.
                    throw new LogCleaningAbortedException("a segment of " + log.topicPartition()
                            + " was deleted under its cleaning: " + e.getMessage());
                }
            }
            throw e;
        }
    }

    private CleaningResult clean(CleanableLog log, List<LogSegment> all, long firstDirty, long firstUncleanable,
                                 long nowMs, OffsetMapBuilder.Progress progress)
            throws IOException, InterruptedException, LogCleaningAbortedException {
        List<LogSegment> sealed = all.subList(0, all.size() - 1);
        long bytesRead = mapBuilder.build(sealed, firstDirty, firstUncleanable, map, progress);
        long endOffset = map.latestOffset() + 1;
        Map<Long, Long> producerLast = mapBuilder.lastBatchOfEachProducer(all);
        CompactionConfig cfg = log.compactionConfig();
        Totals totals = new Totals();
        totals.bytesRead = bytesRead;
        boolean allSwapped = true;
        for (List<LogSegment> group : groups(sealed, endOffset, cfg)) {
            allSwapped &= cleanGroup(log, group, producerLast, nowMs, cfg, progress, totals);
        }
        if (!allSwapped) {
            // A group changed under the cleaning (retention, truncation): its keys were not deduplicated,
            // so the dirty section starts where it did (Kafka leaves the checkpoint of an aborted cleaning).
            endOffset = firstDirty;
        }
        LOG.info("{}: cleaned offsets {} to {}: {} segment(s), {} of {} records kept, {} → {} bytes, map {}% full",
                log.topicPartition(), firstDirty, endOffset, totals.segments, totals.recordsWritten, totals.recordsRead,
                totals.groupBytes, totals.bytesWritten, Math.round(map.utilization() * 100));
        return new CleaningResult(firstDirty, Math.max(endOffset, firstDirty), totals.bytesRead, totals.bytesWritten,
                totals.recordsRead, totals.recordsWritten, totals.segments, map.utilization());
    }

    private static final class Totals {
        long bytesRead;
        long bytesWritten;
        long groupBytes;
        long recordsRead;
        long recordsWritten;
        int segments;
    }

    /**
     * The sealed segments below {@code endOffset} in consecutive groups (Kafka's groupSegmentsBySize):
     * each group's bytes fit {@code segment.bytes}, its index entries the offset index, and its offsets
     * an int from its base.
     */
    static List<List<LogSegment>> groups(List<LogSegment> sealed, long endOffset, CompactionConfig cfg) {
        List<List<LogSegment>> groups = new ArrayList<>();
        List<LogSegment> current = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < sealed.size(); i++) {
            LogSegment s = sealed.get(i);
            if (s.baseOffset() >= endOffset) {
                break;
            }
            long nextBase = i + 1 < sealed.size() ? sealed.get(i + 1).baseOffset() : endOffset;
            boolean fits = !current.isEmpty() && bytes + s.size() <= cfg.segmentBytes()
                    && (bytes + s.size()) / Math.max(1, cfg.indexIntervalBytes()) < cfg.offsetIndexEntriesMax()
                    && nextBase - 1 - current.get(0).baseOffset() <= Integer.MAX_VALUE;
            if (!current.isEmpty() && !fits) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(s);
            bytes += s.size();
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    /** Cleans one group into one segment and swaps it in. @return false if the log refused the swap */
    private boolean cleanGroup(CleanableLog log, List<LogSegment> group, Map<Long, Long> producerLast, long nowMs,
                            CompactionConfig cfg, OffsetMapBuilder.Progress progress, Totals totals)
            throws IOException, InterruptedException, LogCleaningAbortedException {
        long groupBytes = 0;
        for (LogSegment s : group) {
            groupBytes += s.size();
        }
        LogSegment cleaned = LogSegment.create(log.dir(), group.get(0).baseOffset(), log.segmentEnvironment(),
                cfg.offsetIndexEntriesMax(), cfg.indexIntervalBytes(), (int) Math.max(HEADER_LENGTH, groupBytes),
                CLEANED_SUFFIX);
        boolean swapped = false;
        boolean abandon = true;
        try {
            for (int i = 0; i < group.size(); i++) {
                cleanInto(group.get(i), cleaned, i == group.size() - 1, producerLast, nowMs, cfg, progress, totals);
            }
            cleaned.seal();
            hook.reached(CleaningStep.CLEANED_WRITTEN);
            cleaned.force(cleaned.size());
            hook.reached(CleaningStep.CLEANED_FORCED);
            swapped = log.replaceSegments(cleaned, group, hook);
            abandon = !swapped;
            if (swapped) {
                totals.bytesRead += groupBytes;
                totals.groupBytes += groupBytes;
                totals.bytesWritten += cleaned.size();
                totals.segments += group.size();
            } else {
                LOG.info("{}: segments changed while they were cleaned (retention, truncation or deletion); "
                        + "the cleaned segment is dropped", log.topicPartition());
            }
            return swapped;
        } catch (RuntimeException | Error e) {
            abandon = false; // a bug, or a test's simulated crash: leave the files as a crash would
            throw e;
        } finally {
            if (!swapped && !log.segmentsSnapshot().contains(cleaned)) {
                if (abandon && cleaned.logFile().getFileName().toString().endsWith(CLEANED_SUFFIX)) {
                    cleaned.delete();
                } else {
                    cleaned.closeQuietly(); // past the commit point: loading completes the swap
                }
            }
        }
    }

    /** Writes what {@code s} keeps into {@code cleaned}. */
    private void cleanInto(LogSegment s, LogSegment cleaned, boolean lastOfGroup, Map<Long, Long> producerLast,
                           long nowMs, CompactionConfig cfg, OffsetMapBuilder.Progress progress, Totals totals)
            throws IOException, InterruptedException, LogCleaningAbortedException {
        int limit = s.size();
        MappedRegion region = s.acquire();
        try {
            ByteBuffer buf = region.buffer();
            for (int p = 0; p + HEADER_LENGTH <= limit; ) {
                header.wrap(buf, p);
                if (!header.isPlausible(limit)) {
                    throw new IllegalStateException("unreadable batch at position " + p + " of " + s.logFile());
                }
                int size = header.sizeInBytes();
                progress.checkDone(size);
                boolean lastBatch = lastOfGroup && p + size >= limit;
                ByteBuffer out = retained(s, buf, p, size, lastBatch, producerLast, nowMs, cfg, totals);
                if (out != null) {
                    cleaned.append(out, null, cfg.indexIntervalBytes(), nowMs, appendHeader);
                    progress.checkDone(out.remaining());
                }
                p += size;
            }
        } finally {
            region.release();
        }
    }

    /** What the batch at {@code p} becomes: itself, a rewrite, an empty header, or null (dropped). */
    private ByteBuffer retained(LogSegment s, ByteBuffer buf, int p, int size, boolean lastOfGroup,
                                Map<Long, Long> producerLast, long nowMs, CompactionConfig cfg, Totals totals) {
        header.wrap(buf, p);
        ByteBuffer original = buf.duplicate().limit(p + size).position(p);
        long producerId = header.producerId();
        long lastOffset = header.lastOffset();
        boolean producersLast = producerId >= 0 && Long.valueOf(lastOffset).equals(producerLast.get(producerId));
        if (header.isControl()) {
            return original; // Sluice writes no transactions: no marker is ever discardable here
        }
        if (header.recordCount() == 0) {
            return producersLast || lastOfGroup ? original : null; // an earlier cleaning's empty header
        }
        long horizon = header.deleteHorizonMs();
        boolean retainDeletes = horizon == NO_TIMESTAMP || nowMs < horizon;
        mapBuilder.load(s, buf, p);
        int count = filter.recordCount();
        boolean[] retain = new boolean[count];
        int kept = 0;
        boolean tombstones = false;
        for (int r = 0; r < count; r++) {
            long offset = filter.offset(r);
            boolean keep;
            if (offset > map.latestOffset()) {
                keep = true;
            } else if (filter.keyLength(r) < 0) {
                keep = false;
            } else {
                boolean latest = offset >= map.get(filter.plain(), filter.keyPosition(r), filter.keyLength(r));
                keep = latest && (filter.hasValue(r) || retainDeletes);
            }
            retain[r] = keep;
            if (keep) {
                kept++;
                tombstones |= !filter.hasValue(r);
            }
        }
        totals.recordsRead += count;
        totals.recordsWritten += kept;
        boolean setHorizon = tombstones && horizon == NO_TIMESTAMP;
        if (kept == count && !setHorizon) {
            return original;
        }
        if (kept > 0) {
            return filter.writeRetained(retain, setHorizon ? nowMs + cfg.deleteRetentionMs() : NO_TIMESTAMP);
        }
        return producersLast || lastOfGroup ? filter.writeEmpty() : null;
    }
}
