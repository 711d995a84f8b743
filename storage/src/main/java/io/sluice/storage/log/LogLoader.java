package io.sluice.storage.log;

import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.SegmentEnvironment;
import io.sluice.storage.segment.SegmentRecovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/**
 * Opens a partition directory: lists the segments, recovers those past the recovery point
 * ({@link SegmentRecovery}), drops segments after a corrupt one, activates the last segment and
 * loads the leader-epoch cache, cut to the recovered end. If the recovered end lies below the
 * checkpointed log start offset, the log restarts empty at the log start offset instead: offsets
 * never go back across a restart. The recovered tail is forced, so the recovery point is the log
 * end once the log is open. Segments wholly below the recovery point are not read at all (only
 * their sizes are looked up), so opening costs what lies past the recovery point.
 *
 * <p>Stateless; one thread per log.
 */
public final class LogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);

    private LogLoader() {
    }

    /**
     * Opens (or creates, if {@code dir} has no segment) the log in {@code dir}.
     *
     * @param recoveryPoint  the checkpointed recovery point; 0 if unknown (everything is validated)
     * @param logStartOffset the checkpointed log start offset; 0 if unknown
     * @param failureHandler told about I/O errors after the log is open (the LogManager marks the dir offline)
     */
    public static MappedPartitionLog load(Path dir, TopicPartitionId tp, LogConfig config, SegmentEnvironment env,
                                          Clock clock, long recoveryPoint, long logStartOffset,
                                          BiConsumer<MappedPartitionLog, IOException> failureHandler)
            throws IOException {
        Files.createDirectories(dir);
        TreeSet<Long> bases = listSegments(dir);
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        long now = clock.millis();
        long logEndOffset;
        try {
            if (bases.isEmpty()) {
                long start = Math.max(0, logStartOffset);
                segments.put(start, createEmpty(dir, start, config, env));
                logEndOffset = start;
                recoveryPoint = start;
                logStartOffset = start;
            } else {
                for (long base : bases) {
                    segments.put(base, LogSegment.open(dir, base, env, config.offsetIndexEntriesMax(),
                            config.indexIntervalBytes()));
                }
                logEndOffset = recover(tp, segments, recoveryPoint, config.cleanupCompact());
                if (logEndOffset < logStartOffset) {
                    // What survived ends below the checkpointed log start offset: DeleteRecords had
                    // moved the start past unflushed records (truncateTo may then have removed all
                    // above it) and the crash took them. Reopening at the lower end would hand out
                    // offsets that consumers have already read, so the log restarts empty at its
                    // start offset (Kafka's LogLoader does the same).
                    LOG.warn("{}: recovered end offset {} is below the log start offset {}; "
                            + "deleting {} segment(s) and restarting the log empty at {}",
                            tp, logEndOffset, logStartOffset, segments.size(), logStartOffset);
                    for (LogSegment s : segments.values()) {
                        s.delete();
                    }
                    segments.clear();
                    segments.put(logStartOffset, createEmpty(dir, logStartOffset, config, env));
                    logEndOffset = logStartOffset;
                } else {
                    if (logEndOffset > recoveryPoint) {
                        forceFrom(segments, recoveryPoint);
                    }
                    segments.lastEntry().getValue().activate(now, config.segmentBytes());
                    logStartOffset = Math.max(logStartOffset, segments.firstKey());
                }
                recoveryPoint = logEndOffset;
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : segments.values()) {
                s.closeQuietly();
            }
            throw e;
        }
        LeaderEpochCache epochs = LeaderEpochCache.load(dir);
        epochs.truncateBeyond(logEndOffset);
        epochs.truncateFromStart(logStartOffset);
        return new MappedPartitionLog(tp, dir, config, env, clock, segments, epochs, logStartOffset, logEndOffset,
                recoveryPoint, failureHandler);
    }

    private static LogSegment createEmpty(Path dir, long baseOffset, LogConfig config, SegmentEnvironment env)
            throws IOException {
        return LogSegment.create(dir, baseOffset, env, config.offsetIndexEntriesMax(), config.indexIntervalBytes(),
                config.segmentBytes());
    }

    /**
     * Forces the recovered tail. Records past the recovery point survived a crash in the page cache
     * only; once served after the restart, a later power loss must not take them back and let other
     * records reuse their offsets (the chaos suite saw exactly that: one offset read with two values).
     */
    private static void forceFrom(ConcurrentSkipListMap<Long, LogSegment> segments, long recoveryPoint)
            throws IOException {
        Long from = segments.floorKey(recoveryPoint);
        for (LogSegment s : (from == null ? segments : segments.tailMap(from, true)).values()) {
            s.force(s.size());
        }
    }

    /** Recovers the segments from the one holding the recovery point on; returns the log end offset. */
    private static long recover(TopicPartitionId tp, ConcurrentSkipListMap<Long, LogSegment> segments,
                                long recoveryPoint, boolean offsetGapsAllowed) throws IOException {
        Long startKey = segments.floorKey(recoveryPoint);
        if (startKey == null) {
            startKey = segments.firstKey();
        }
        List<LogSegment> toRecover = new ArrayList<>(segments.tailMap(startKey, true).values());
        long next = -1L;
        long validated = 0;
        long truncated = 0;
        for (int i = 0; i < toRecover.size(); i++) {
            LogSegment segment = toRecover.get(i);
            // A segment starts after the previous one ends: right after it, or (compacted logs, and a
            // follower of a compacted leader, which rolls at a gap) later.
            if (next >= 0 && segment.baseOffset() < next) {
                LOG.warn("{}: segment {} overlaps the previous one (which ends at {}); dropping it and later ones",
                        tp, segment.logFile().getFileName(), next);
                dropFrom(segments, toRecover, i);
                break;
            }
            SegmentRecovery.Result r = SegmentRecovery.recover(segment, recoveryPoint, offsetGapsAllowed);
            next = r.nextOffset();
            validated += r.validatedBytes();
            truncated += r.truncatedBytes();
            boolean cutShort = !r.zeroTail();
            if (cutShort && i + 1 < toRecover.size()) {
                LOG.warn("{}: corrupt batch in {}; dropping {} later segment(s)", tp,
                        segment.logFile().getFileName(), toRecover.size() - i - 1);
                dropFrom(segments, toRecover, i + 1);
                break;
            }
        }
        if (segments.size() > 1 && segments.lastEntry().getValue().size() == 0
                && segments.lastKey() != next && next >= 0) {
            // Keep an empty last segment only if it starts where the data ends.
            LogSegment empty = segments.remove(segments.lastKey());
            empty.delete();
        }
        LOG.debug("{}: recovered from offset {}: {} bytes validated, {} truncated, end offset {}",
                tp, recoveryPoint, validated, truncated, next);
        return next;
    }

    private static void dropFrom(ConcurrentSkipListMap<Long, LogSegment> segments, List<LogSegment> list, int from)
            throws IOException {
        for (int j = from; j < list.size(); j++) {
            LogSegment s = list.get(j);
            segments.remove(s.baseOffset());
            s.delete();
        }
    }

    /**
     * Base offsets of the {@code .log} files, after completing the log cleaner's swaps
     * ({@link SwapFiles}); removes temp files, unfinished cleanings and indexes without a log.
     */
    private static TreeSet<Long> listSegments(Path dir) throws IOException {
        TreeSet<Long> bases = new TreeSet<>();
        TreeSet<Long> swaps = new TreeSet<>();
        List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(LogSegment.LOG_SUFFIX + SwapFiles.SWAP_SUFFIX)) {
                    swaps.add(parseBase(f, name, LogSegment.LOG_SUFFIX + SwapFiles.SWAP_SUFFIX));
                } else if (name.endsWith(".tmp") || name.endsWith(SwapFiles.DELETED_SUFFIX)
                        || name.endsWith(SwapFiles.CLEANED_SUFFIX) || name.endsWith(SwapFiles.SWAP_SUFFIX)) {
                    Files.deleteIfExists(f);
                } else if (name.endsWith(LogSegment.LOG_SUFFIX)) {
                    bases.add(parseBase(f, name, LogSegment.LOG_SUFFIX));
                } else if (name.endsWith(LogSegment.INDEX_SUFFIX) || name.endsWith(LogSegment.TIME_INDEX_SUFFIX)) {
                    indexes.add(f);
                }
            }
        }
        for (long swap : swaps) {
            SwapFiles.complete(dir, swap, bases);
        }
        if (!swaps.isEmpty()) {
            forceDir(dir);
        }
        for (Path f : indexes) {
            if (!Files.exists(f)) {
                continue; // an old segment's index, deleted with it by a swap
            }
            String name = f.getFileName().toString();
            String suffix = name.endsWith(LogSegment.INDEX_SUFFIX) ? LogSegment.INDEX_SUFFIX : LogSegment.TIME_INDEX_SUFFIX;
            if (!bases.contains(parseBase(f, name, suffix))) {
                Files.deleteIfExists(f);
            }
        }
        return bases;
    }

    /** Makes the renames and deletions in {@code dir} durable (Kafka's Utils.flushDir). */
    static void forceDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static long parseBase(Path f, String name, String suffix) throws IOException {
        String digits = name.substring(0, name.length() - suffix.length());
        if (digits.length() != 20) {
            throw new IOException("unexpected file in partition dir: " + f);
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IOException("unexpected file in partition dir: " + f, e);
        }
    }
}
