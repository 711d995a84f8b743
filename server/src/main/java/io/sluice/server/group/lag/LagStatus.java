package io.sluice.server.group.lag;

/**
 * A consumer's progress on a partition, judged over its last commits as Burrow judges it, in order
 * of severity: a group is as bad as its worst partition.
 */
public enum LagStatus {
    /** Caught up at some commit of the window, or keeping pace. */
    OK,
    /** Committing and moving, but the lag grew at every commit of the window. */
    WARNING,
    /** Committing without moving: the same offset at every commit of the window, with lag. */
    STALLED,
    /** No commit for longer than the window spans, with lag. */
    STOPPED,
    /** The committed offset went backwards within the window (a reset or a rewind). */
    ERROR
}
