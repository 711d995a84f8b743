package io.sluice.metadata.client;

import java.util.concurrent.atomic.LongAdder;

/**
 * Commands this node submitted to the quorum: how many came back committed, how many failed, and
 * the time from submit to committed (for the metrics endpoint). Thread-safe.
 */
public final class CommitStats {

    private final LongAdder committed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder committedNanos = new LongAdder();

    void onCommitted(long nanos) {
        committed.increment();
        committedNanos.add(nanos);
    }

    void onFailed() {
        failed.increment();
    }

    public long committed() {
        return committed.sum();
    }

    public long failed() {
        return failed.sum();
    }

    /** Summed time from submit to committed, of the committed ones. */
    public long committedNanos() {
        return committedNanos.sum();
    }
}
