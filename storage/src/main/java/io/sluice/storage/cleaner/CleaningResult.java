package io.sluice.storage.cleaner;

/**
 * What one cleaning of one log did (made by {@link LogCleaner}, read by the manager). Immutable.
 *
 * @param firstDirtyOffset    where the dirty section began
 * @param endOffset           the offset after the last one mapped: the next cleaning's first dirty offset
 * @param bytesRead           segment bytes read (map and rewrite)
 * @param bytesWritten        bytes of the cleaned segments
 * @param recordsRead         records looked at while rewriting
 * @param recordsWritten      records kept
 * @param segmentsCleaned     old segments replaced
 * @param offsetMapUtilization share of the offset map's bound used
 */
public record CleaningResult(long firstDirtyOffset, long endOffset, long bytesRead, long bytesWritten,
                             long recordsRead, long recordsWritten, int segmentsCleaned,
                             double offsetMapUtilization) {
}
