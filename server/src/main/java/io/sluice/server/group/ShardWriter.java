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
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a coordinator shard writes to its partition of {@code __consumer_offsets}: appends answered
 * in log order (offset commits without holding the coordinator thread), and the bounded rewrite
 * that stands in for compaction: once more bytes were appended since the last rewrite than
 * {@code sluice.offsets.rewrite.bytes} (or than the live state, if larger), the live state is
 * appended again and everything before it is dropped with a log-start move, so the partition
 * stays within about twice its live size. Not thread-safe: owned by the coordinator thread.
 */
final class ShardWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ShardWriter.class);
    /** Records per batch when rewriting the live state (keeps each batch well under message.max.bytes). */
    private static final int REWRITE_RECORDS_PER_BATCH = 200;

    /** An offset commit written to the log and waiting for the ISR; answered and applied in log order. */
    private record PendingWrite(CompletableFuture<Short> appended, CompletableFuture<Short> committed) { }

    private final int partition;
    private final long rewriteBytes;
    private final GroupLog log;
    /** Runs a task on the coordinator thread, the shard's owner. */
    private final Executor coordinatorThread;
    /** Every record of the shard's live state, for the rewrite. */
    private final Supplier<List<GroupRecords.Record>> liveState;
    private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
    private long bytesSinceRewrite;
    private long liveBytesAtRewrite;
    private boolean rewriting;

    ShardWriter(int partition, long rewriteBytes, GroupLog log, Executor coordinatorThread,
                Supplier<List<GroupRecords.Record>> liveState) {
        this.partition = partition;
        this.rewriteBytes = rewriteBytes;
        this.log = log;
        this.coordinatorThread = coordinatorThread;
        this.liveState = liveState;
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
        short err = errorCode(appendCounted(records));
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
        PendingWrite w = new PendingWrite(appendCounted(records), new CompletableFuture<>());
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

    /** Completes the pending writes whose append finished, oldest first, then rewrites if that is due. */
    private void completeCommitted() {
        while (!pending.isEmpty() && pending.peek().appended().isDone()) {
            PendingWrite w = pending.poll();
            w.committed().complete(errorCode(w.appended()));
        }
        if (pending.isEmpty() && !rewriting
                && bytesSinceRewrite > Math.max(rewriteBytes, liveBytesAtRewrite)) {
            rewrite();
        }
    }

    private CompletableFuture<Short> appendCounted(List<GroupRecords.Record> records) {
        CompletableFuture<Short> appended = log.append(records);
        if (!rewriting) {
            bytesSinceRewrite += bytes(records);
        }
        return appended;
    }

    private short errorCode(CompletableFuture<Short> appended) {
        try {
            return appended.join();
        } catch (CompletionException | CancellationException e) {
            LOG.error("Appending to {}-{} failed", GroupConfig.OFFSETS_TOPIC, partition, e);
            return Errors.UNKNOWN_SERVER_ERROR.code();
        }
    }

    /**
     * Writes the live state after the log end, then drops everything before it. Only while no
     * commit is pending: the live state does not hold a pending commit yet, and its record lies
     * before the cut.
     */
    void rewrite() {
        List<GroupRecords.Record> live = liveState.get();
        long newStart = log.logEndOffset();
        rewriting = true;
        try {
            for (int i = 0; i < live.size(); i += REWRITE_RECORDS_PER_BATCH) {
                short err = errorCode(log.append(live.subList(i, Math.min(live.size(), i + REWRITE_RECORDS_PER_BATCH))));
                if (err != Errors.NONE.code()) {
                    // Nothing dropped: the old records are still there and replay stays correct.
                    LOG.warn("Rewriting {}-{} failed with {}; the log keeps its prefix", GroupConfig.OFFSETS_TOPIC,
                            partition, Errors.forCode(err));
                    return;
                }
            }
        } finally {
            rewriting = false;
        }
        log.deleteBefore(newStart);
        liveBytesAtRewrite = bytes(live);
        LOG.info("Rewrote {}-{}: {} live records ({} bytes) from offset {}; {} bytes of history dropped",
                GroupConfig.OFFSETS_TOPIC, partition, live.size(), liveBytesAtRewrite, newStart, bytesSinceRewrite);
        bytesSinceRewrite = 0;
    }

    private static long bytes(List<GroupRecords.Record> records) {
        long n = 0;
        for (GroupRecords.Record r : records) {
            n += r.key().length + (r.value() == null ? 0 : r.value().length) + 16;
        }
        return n;
    }
}
