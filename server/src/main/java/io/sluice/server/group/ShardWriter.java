package io.sluice.server.group;

import io.sluice.server.group.log.GroupLog;
import io.sluice.server.group.log.GroupRecords;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a coordinator shard writes to its partition of {@code __consumer_offsets}: appends answered
 * in log order, offset commits without holding the coordinator thread. The partition stays small
 * because it is compacted by the broker's log cleaner like any {@code cleanup.policy=compact} topic
 * (every state change is a keyed record, every removal a tombstone), not by the shard.
 * Not thread-safe: owned by the coordinator thread.
 */
final class ShardWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ShardWriter.class);

    /** An offset commit written to the log and waiting for the ISR; answered and applied in log order. */
    private record PendingWrite(CompletableFuture<Short> appended, CompletableFuture<Short> committed) { }

    private final int partition;
    private final GroupLog log;
    /** Runs a task on the coordinator thread, the shard's owner. */
    private final Executor coordinatorThread;
    private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();

    ShardWriter(int partition, GroupLog log, Executor coordinatorThread) {
        this.partition = partition;
        this.log = log;
        this.coordinatorThread = coordinatorThread;
    }

    /**
     * Appends records and waits, on the coordinator thread, until the ISR has them; a Kafka error
     * code. Commits written before it are applied first, so state changes follow log order. For the
     * rarer writes (group metadata, expiry); offset commits use {@link #writeInOrder}.
     */
    short write(List<GroupRecords.Record> records) {
        if (records.isEmpty()) {
            return Errors.NONE.code();
        }
        short err = errorCode(log.append(records));
        completeCommitted();
        return err;
    }

    /**
     * Appends records without holding the coordinator thread while the ISR catches up (one slow
     * commit must not stall every group of the broker). The result completes on the coordinator
     * thread, in log order with every other write, so the caller applies its state change there.
     * It completes exceptionally when the coordinator can no longer run it (closed or overloaded).
     */
    CompletableFuture<Short> writeInOrder(List<GroupRecords.Record> records) {
        PendingWrite w = new PendingWrite(log.append(records), new CompletableFuture<>());
        pending.add(w);
        w.appended().whenComplete((r, e) -> {
            try {
                coordinatorThread.execute(this::completeCommitted);
            } catch (RejectedExecutionException closed) {
                w.committed().completeExceptionally(closed);
            }
        });
        return w.committed();
    }

    /** Completes the pending writes whose append finished, oldest first. */
    private void completeCommitted() {
        while (!pending.isEmpty() && pending.peek().appended().isDone()) {
            PendingWrite w = pending.poll();
            w.committed().complete(errorCode(w.appended()));
        }
    }

    private short errorCode(CompletableFuture<Short> appended) {
        try {
            return appended.join();
        } catch (CompletionException | CancellationException e) {
            LOG.error("Appending to {}-{} failed", GroupConfig.OFFSETS_TOPIC, partition, e);
            return Errors.UNKNOWN_SERVER_ERROR.code();
        }
    }
}
