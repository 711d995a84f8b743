package io.sluice.chaos.history;

/**
 * Jepsen's op types. An operation is recorded once as {@link #INVOKE} and completed once as
 * {@link #OK} (it happened), {@link #FAIL} (it certainly did not happen) or {@link #INFO} (unknown:
 * it may or may not have happened, e.g. a produce that timed out).
 */
public enum OpType { INVOKE, OK, FAIL, INFO }
