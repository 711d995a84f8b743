package io.sluice.storage.segment;

/**
 * What every segment of a LogManager shares: the mapping bound, the space reserver and the size
 * of the reservation steps. Immutable, thread-safe.
 *
 * @param mappingCache        the LRU bound on open mappings
 * @param spaceReserver       how disk space ahead of the writer is allocated
 * @param reserveStepBytesMin first reservation of a new active segment
 * @param reserveStepBytesMax largest reservation step (steps double from the min up to it)
 */
public record SegmentEnvironment(MappingCache mappingCache, SpaceReserver spaceReserver,
                                 int reserveStepBytesMin, int reserveStepBytesMax) {
}
