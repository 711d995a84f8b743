package io.sluice.storage.segment;

/**
 * What every segment of a LogManager shares: the mapping bound, the space reserver, the size
 * of the reservation steps and who is told flush times. Immutable, thread-safe.
 *
 * @param mappingCache        the LRU bound on open mappings
 * @param spaceReserver       how disk space ahead of the writer is allocated
 * @param reserveStepBytesMin first reservation of a new active segment
 * @param reserveStepBytesMax largest reservation step (steps double from the min up to it)
 * @param flushTimer          told how long each log flush's fsyncs took
 */
public record SegmentEnvironment(MappingCache mappingCache, SpaceReserver spaceReserver,
                                 int reserveStepBytesMin, int reserveStepBytesMax, FlushTimer flushTimer) {

    /** Flush times not recorded. */
    public SegmentEnvironment(MappingCache mappingCache, SpaceReserver spaceReserver, int reserveStepBytesMin,
                              int reserveStepBytesMax) {
        this(mappingCache, spaceReserver, reserveStepBytesMin, reserveStepBytesMax, FlushTimer.NONE);
    }
}
