package io.sluice.replication;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The seam for replication: who else holds a partition led here, and when an offset counts as
 * committed (the high watermark passed it). The single-node broker has a replica set of one
 * ({@link #single()}); the replication module will provide ISR tracking and follower fetches
 * behind the same interface. Implementations are thread-safe.
 */
public interface ReplicaSet {

    /** Current in-sync replica count, leader included (acks=all needs at least min.insync.replicas). */
    int isrSize();

    /** High watermark given the leader's log end offset. */
    long highWatermark(long logEndOffset);

    /** Completes once every in-sync replica has {@code offset} (acks=all). */
    CompletionStage<Void> awaitReplicated(long offset);

    /** A replica set of one: this broker. Everything appended is committed at once. */
    static ReplicaSet single() {
        return Single.INSTANCE;
    }

    /** The single-replica set. Stateless. */
    final class Single implements ReplicaSet {
        static final Single INSTANCE = new Single();
        private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

        @Override public int isrSize() { return 1; }
        @Override public long highWatermark(long logEndOffset) { return logEndOffset; }
        @Override public CompletionStage<Void> awaitReplicated(long offset) { return DONE; }
    }
}
