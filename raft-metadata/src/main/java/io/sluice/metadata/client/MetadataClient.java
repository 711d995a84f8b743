package io.sluice.metadata.client;

import io.sluice.metadata.command.CommandResult;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.MetadataListener;

import java.util.concurrent.CompletableFuture;

/**
 * What the broker uses of the quorum: submit commands to the current quorum leader and read the
 * latest metadata image. Thread-safe. Obtained from {@link io.sluice.metadata.node.MetadataNode#client()};
 * the node owns and closes it.
 */
public interface MetadataClient {
    /**
     * Sends a command to the quorum leader (following leader changes) and completes with its result
     * once it is committed and applied <em>and</em> this node's local image has reached it (bounded
     * wait), so a Metadata request right after sees the change. Never completes exceptionally:
     * after {@code sluice.metadata.submit.timeout.ms} or the bounded number of attempts the future
     * completes with {@link MetadataCommand#failed} carrying REQUEST_TIMED_OUT (7) or NOT_CONTROLLER (41).
     */
    <R extends CommandResult> CompletableFuture<R> submit(MetadataCommand<R> command);

    /** The latest image this node has applied. Cheap (a volatile read); never null. */
    MetadataImage image();

    /** Completes when the local image has applied {@code offset} (or at once if it has). */
    CompletableFuture<MetadataImage> awaitOffset(long offset);

    /** Registers a listener called after every applied entry (see {@link MetadataListener}). */
    void subscribe(MetadataListener listener);

    void unsubscribe(MetadataListener listener);

    /** What this node's submits came to, and how long they took. */
    CommitStats commitStats();
}
