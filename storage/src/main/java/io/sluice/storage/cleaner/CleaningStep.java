package io.sluice.storage.cleaner;

/**
 * The steps of replacing a group of segments by its cleaned segment, in order (Kafka's
 * LogCleaner.cleanSegments and LocalLog.replaceSegments). A crash after any of them leaves the log
 * readable as the old segments or the cleaned one, never a mix: see the log's {@code SwapFiles}.
 * Constants; thread-safe.
 */
public enum CleaningStep {
    /** {@code <base>.log.cleaned} (and its indexes) written and sealed, not forced. */
    CLEANED_WRITTEN,
    /** The cleaned files forced to disk. */
    CLEANED_FORCED,
    /** Renamed {@code .cleaned} → {@code .swap} and the dir forced: the commit point. */
    RENAMED_TO_SWAP,
    /** The cleaned segment replaced the old ones in the log's segment map; old files still on disk. */
    SWAPPED_IN,
    /** The old segments' files deleted; the cleaned ones still named {@code .swap}. */
    OLD_DELETED,
    /** Renamed {@code .swap} → final names and the dir forced. */
    DONE
}
