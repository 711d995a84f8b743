package io.sluice.replication;

import io.sluice.metadata.client.CommitStats;
import io.sluice.metadata.client.MetadataClient;
import io.sluice.metadata.command.CommandResult;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.MetadataListener;
import io.sluice.replication.fetcher.FollowerReplica;
import io.sluice.storage.TopicPartitionId;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * The metadata quorum as a ReplicaManager test needs it: it records what is submitted and never
 * answers, so a leader's ISR stays what the test's image says, and it shows the test's image.
 * Thread-safe.
 */
final class TestQuorum implements MetadataClient {

    final BlockingQueue<MetadataCommand<?>> submitted = new LinkedBlockingQueue<>();
    private final Supplier<MetadataImage> image;

    TestQuorum() {
        this(() -> MetadataImage.empty("test"));
    }

    TestQuorum(Supplier<MetadataImage> image) {
        this.image = image;
    }

    @Override
    public <R extends CommandResult> CompletableFuture<R> submit(MetadataCommand<R> command) {
        submitted.add(command);
        return new CompletableFuture<>();
    }

    @Override
    public MetadataImage image() {
        return image.get();
    }

    @Override
    public CompletableFuture<MetadataImage> awaitOffset(long offset) {
        return new CompletableFuture<>();
    }

    @Override
    public void subscribe(MetadataListener listener) { }

    @Override
    public void unsubscribe(MetadataListener listener) { }

    @Override
    public CommitStats commitStats() {
        return new CommitStats();
    }

    /** Follower fetching that does nothing: these tests drive the leader side only. */
    static final class NoFetching implements ReplicaManager.FollowerFetching {
        @Override
        public void follow(FollowerReplica replica, int leaderId) { }

        @Override
        public void unfollow(TopicPartitionId tp) { }
    }
}
