package io.sluice.server.handler;

import io.sluice.replication.Partition;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A long-poll fetch parked until its partitions gained {@code minBytes} of new data or
 * {@code maxWaitMs} passed (Kafka's DelayedFetch). Woken by the appends themselves through
 * {@link Partition.AppendListener} — nothing polls. New bytes are measured with each partition's
 * monotonic appended-bytes counter against a baseline taken before the first read, so an append
 * racing with parking is not missed. Completion runs once, on the fetching connection's event
 * loop, not on the producer's thread. Thread-safe.
 */
final class DelayedFetch implements Partition.AppendListener {

    private final List<Partition> partitions;
    private final long[] baseline;
    private final long bytesNeeded;
    private final ScheduledExecutorService eventLoop;
    private final Runnable onComplete;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile ScheduledFuture<?> timeout;

    DelayedFetch(List<Partition> partitions, long[] baseline, long bytesNeeded, ScheduledExecutorService eventLoop,
                 Runnable onComplete) {
        this.partitions = partitions;
        this.baseline = baseline;
        this.bytesNeeded = bytesNeeded;
        this.eventLoop = eventLoop;
        this.onComplete = onComplete;
    }

    /** Registers with the partitions and the timer; may complete at once if data arrived meanwhile. */
    void park(long maxWaitMs) {
        for (Partition p : partitions) {
            p.addAppendListener(this);
        }
        timeout = eventLoop.schedule(this::complete, maxWaitMs, TimeUnit.MILLISECONDS);
        if (satisfied()) {
            complete();
        }
    }

    @Override
    public void onAppend(Partition partition) {
        if (!done.get() && satisfied()) {
            complete();
        }
    }

    private boolean satisfied() {
        long gained = 0;
        for (int i = 0; i < baseline.length; i++) {
            gained += partitions.get(i).appendedBytes() - baseline[i];
        }
        return gained >= bytesNeeded;
    }

    private void complete() {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        for (Partition p : partitions) {
            p.removeAppendListener(this);
        }
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
        if (eventLoop.isShutdown()) {
            onComplete.run();
        } else {
            eventLoop.execute(onComplete);
        }
    }
}
