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
    SKIPPED
}
