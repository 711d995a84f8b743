package io.sluice.server.handler;

import io.sluice.replication.Partition;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;

/**
 * A long-poll fetch parked until its partitions gained {@code minBytes} of new data or
 * {@code maxWaitMs} passed (Kafka's DelayedFetch). Woken by the partitions themselves through
 * {@link Partition.ProgressListener} — nothing polls. New bytes are measured with a monotonic
 * per-partition counter against a baseline taken before the first read, so progress racing with
 * parking is not missed: appended bytes for a follower (it reads to the log end), committed bytes
 * (below the high watermark) for a consumer. Completion runs once, on the fetching connection's event
 * loop, not on the producer's thread. Thread-safe.
 */
public final class DelayedFetch implements Partition.ProgressListener {

    private final List<Partition> partitions;
    private final ToLongFunction<Partition> progress;
    private final long[] baseline;
    private final long bytesNeeded;
    private final ScheduledExecutorService eventLoop;
    private final Runnable onComplete;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile ScheduledFuture<?> timeout;

    public DelayedFetch(List<Partition> partitions, ToLongFunction<Partition> progress, long[] baseline, long bytesNeeded,
                 ScheduledExecutorService eventLoop, Runnable onComplete) {
        this.partitions = partitions;
        this.progress = progress;
        this.baseline = baseline;
        this.bytesNeeded = bytesNeeded;
        this.eventLoop = eventLoop;
        this.onComplete = onComplete;
    }

    /** Registers with the partitions and the timer; may complete at once if data arrived meanwhile. */
    public void park(long maxWaitMs) {
        for (Partition p : partitions) {
            p.addProgressListener(this);
        }
        timeout = eventLoop.schedule(this::complete, maxWaitMs, TimeUnit.MILLISECONDS);
        if (satisfied()) {
            complete();
        }
    }

    @Override
    public void onProgress(Partition partition) {
        if (!done.get() && satisfied()) {
            complete();
        }
    }

    private boolean satisfied() {
        long gained = 0;
        for (int i = 0; i < baseline.length; i++) {
            gained += progress.applyAsLong(partitions.get(i)) - baseline[i];
        }
        return gained >= bytesNeeded;
    }

    private void complete() {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        for (Partition p : partitions) {
            p.removeProgressListener(this);
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
