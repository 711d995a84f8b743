package io.sluice.server.handler;

import io.sluice.metadata.client.MetadataClient;
import io.sluice.metadata.command.AllocateProducerIds;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Hands out producer ids from blocks the metadata quorum allocates (KIP-730), so ids are unique
 * across brokers and restarts. A new block is requested when the current one is used up; callers
 * waiting meanwhile are queued (bounded by the network's backpressure). Thread-safe.
 */
public final class ProducerIdManager {

    /** An id, or an error code when the quorum could not hand out a block. */
    public record Allocation(short errorCode, long producerId) { }

    private final MetadataClient metadata;
    private final int brokerId;
    private final LongSupplier brokerEpoch;
    private final ArrayDeque<CompletableFuture<Allocation>> waiting = new ArrayDeque<>();
    private long next;
    private long end;
    private boolean fetching;

    public ProducerIdManager(MetadataClient metadata, int brokerId, LongSupplier brokerEpoch) {
        this.metadata = metadata;
        this.brokerId = brokerId;
        this.brokerEpoch = brokerEpoch;
    }

    public CompletableFuture<Allocation> nextProducerId() {
        CompletableFuture<Allocation> f = new CompletableFuture<>();
        boolean fetch;
        synchronized (this) {
            if (next < end && waiting.isEmpty()) {
                return CompletableFuture.completedFuture(new Allocation(Errors.NONE, next++));
            }
            waiting.add(f);
            fetch = !fetching;
            fetching = true;
        }
        if (fetch) {
            fetchBlock();
        }
        return f;
    }

    private void fetchBlock() {
        metadata.submit(new AllocateProducerIds(brokerId, brokerEpoch.getAsLong())).whenComplete((r, e) -> {
            ArrayDeque<CompletableFuture<Allocation>> served = new ArrayDeque<>();
            ArrayDeque<Allocation> answers = new ArrayDeque<>();
            boolean more;
            synchronized (this) {
                if (r != null && r.isSuccess()) {
                    next = r.firstProducerId();
                    end = r.firstProducerId() + r.blockSize();
                    while (!waiting.isEmpty() && next < end) {
                        served.add(waiting.poll());
                        answers.add(new Allocation(Errors.NONE, next++));
                    }
                } else {
                    short code = r != null ? r.errorCode() : Errors.REQUEST_TIMED_OUT;
                    while (!waiting.isEmpty()) {
                        served.add(waiting.poll());
                        answers.add(new Allocation(code, -1));
                    }
                }
                more = !waiting.isEmpty();
                fetching = more;
            }
            while (!served.isEmpty()) {
                served.poll().complete(answers.poll());
            }
            if (more) {
                fetchBlock();
            }
        });
    }
}
