package io.sluice.storage.cleaner;

import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.segment.LogSegment;
import io.sluice.storage.segment.SegmentEnvironment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the log cleaner needs of a partition log (the log package's {@code MappedPartitionLog}
 * implements it, so this package depends on segments only, not on the log above it).
 *
 * <p>Implementations are thread-safe: the cleaner reads sealed segments without the log's lock and
 * swaps its result in under it ({@link #replaceSegments}).
 */
public interface CleanableLog {

    TopicPartitionId topicPartition();

    /** The partition dir; the cleaned segment is written here. */
    Path dir();

    CompactionConfig compactionConfig();

    long logStartOffset();

    long logEndOffset();

    /** A snapshot of the segments, oldest first; the last is the active one. */
    List<LogSegment> segmentsSnapshot();

    SegmentEnvironment segmentEnvironment();

    /**
     * Replaces {@code replaced} (consecutive sealed segments, oldest first) by {@code cleaned} (a sealed,
     * forced segment named {@code <first replaced base>.log.cleaned}, files and all), crash-safely:
     * rename to {@code .swap}, swap in the map, delete the old files, rename to the final names,
     * telling {@code hook} after each step. Under the log's lock.
     *
     * @return false, changing nothing, if the log no longer holds exactly these sealed segments
     *         (retention, truncation or deletion ran meanwhile) or is closed or offline
     */
    boolean replaceSegments(LogSegment cleaned, List<LogSegment> replaced, CleaningHook hook) throws IOException;

    /**
     * The lowest end offset a truncation left since the last call ({@code Long.MAX_VALUE} if none),
     * and forgets it: the cleaner lowers its checkpoint to it (Kafka's maybeTruncateCheckpoint), as
     * what is written there again is dirty.
     */
    long pollTruncatedTo();

    /** Takes the log offline after an I/O error of the cleaner (and reports its log dir). */
    void failed(IOException e);

    /** Offline or closed: nothing more is cleaned. */
    boolean isUnavailable();
}
