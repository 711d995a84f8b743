package io.sluice.chaos.checker;

/** The anomalies the {@link Checker} looks for, in Jepsen's terms (Jepsen's Kafka test, "queue" checker). */
public enum Anomaly {
    /** Acknowledged, never read, although some read went past its offset (or read a later value of its producer). */
    LOST,
    /** Acknowledged and never read, and no read got past it. After the harness's final full read this is loss too. */
    UNSEEN,
    /** One value at two or more offsets. */
    DUPLICATE,
    /** Two or more values at one offset (including an acknowledged offset that reads show holding another value). */
    INCONSISTENT_OFFSET,
    /** Within one partition, one producer's values stored out of the order it sent them. */
    REORDERED,
    /** A committed offset read back lower than one already acknowledged as committed. */
    COMMIT_BACKWARDS,
    /** A consumer read offset a then b &gt; a+1 although records exist between them. */
    SKIPPED,
    /**
     * A consumer read a value at an offset that the final read (after healing) does not hold there:
     * it read above the high watermark, and the log was later truncated below that read.
     */
    UNCOMMITTED_READ,
    /**
     * A committing consumer started a partition (assignment after a rebalance, or start-up) below
     * every commit of its group that was not yet overwritten when it began: it resumed below its
     * committed offset, e.g. after the group coordinator moved.
     */
    RESUMED_BELOW_COMMIT,
    /**
     * Two leaders acknowledged writes for one partition in overlapping time: a node acknowledged a
     * produce at a base offset at or below one another node had acknowledged earlier
     * ({@link SplitBrainCheck}).
     */
    SPLIT_BRAIN,
    /** After healing and catch-up, a replica whose committed prefix (below the high watermark) differs from the others'. */
    DIVERGENT_REPLICAS
}
