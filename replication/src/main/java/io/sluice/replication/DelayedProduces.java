package io.sluice.replication;

import io.sluice.storage.ErrorCode;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * acks=all appends of one partition waiting for the high watermark to pass them (Kafka's
 * DelayedProduce purgatory). Ordered by the offset they need, so a high-watermark move completes
 * exactly the waiters below it without looking at the rest; a deadline on the shared timer answers
 * REQUEST_TIMED_OUT. Nothing polls. Thread-safe.
 */
final class DelayedProduces {

    /** The outcome of a wait: the error code to answer with (0 when the high watermark passed it). */
    private record Waiter(long requiredOffset, CompletableFuture<Short> done) { }

    private final PriorityQueue<Waiter> byOffset =
            new PriorityQueue<>((a, b) -> Long.compare(a.requiredOffset, b.requiredOffset));
    private final ScheduledExecutorService timer;

    DelayedProduces(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Completes once the high watermark is past {@code lastOffset}, or with an error. */
    CompletableFuture<Short> await(long lastOffset, long timeoutMs) {
        CompletableFuture<Short> done = new CompletableFuture<>();
        synchronized (this) {
            byOffset.add(new Waiter(lastOffset + 1, done));
        }
        var deadline = timer.schedule(() -> done.complete(ErrorCode.REQUEST_TIMED_OUT), timeoutMs, TimeUnit.MILLISECONDS);
        done.whenComplete((code, e) -> deadline.cancel(false));
        return done;
    }

    /** The high watermark moved to {@code highWatermark}: completes every waiter at or below it. */
    void onHighWatermark(long highWatermark) {
        while (true) {
            Waiter w;
            synchronized (this) {
                w = byOffset.peek();
                if (w == null || w.requiredOffset > highWatermark) {
                    return;
                }
                byOffset.poll();
            }
            w.done.complete(ErrorCode.NONE);
        }
    }

    /** Answers every waiter with {@code errorCode} (leadership lost, ISR below min.insync.replicas). */
    void failAll(short errorCode) {
        while (true) {
            Waiter w;
            synchronized (this) {
                w = byOffset.poll();
            }
            if (w == null) {
                return;
            }
            w.done.complete(errorCode);
        }
    }
}
