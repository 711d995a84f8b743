package io.sluice.chaos.history;

/** What an operation did. Faults are recorded in the same history so a failure reads as one story. */
public enum OpKind {
    /** A produce of one unique value to one partition. */
    SEND,
    /** A consumer poll; an OK completion carries the records read. */
    POLL,
    /** A consumer jumped to a position it did not reach by reading (assign, seek, rebalance). */
    SEEK,
    /** An offset commit of one partition. */
    COMMIT,
    /** A read of a committed offset (OffsetFetch) of one partition. */
    FETCH_COMMITTED,
    /** A fault started (INVOKE) or was healed (OK). */
    FAULT,
    /** The broker process exited without being told to. */
    CRASH,
    /**
     * A Produce response acknowledging one partition (error NONE), as the acknowledging node's
     * own proxy delivered it to a client: node = the node, offset = the batch's base offset.
     * Recorded by the proxy, not the client: kafka-clients does not say which broker acknowledged.
     */
    PRODUCE_ACK,
    /**
     * After healing and catch-up, a replica whose committed prefix differs from the other
     * replicas' (node = that replica, offset = the first offset where it differs, value = how).
     */
    REPLICA_DIVERGED
}
