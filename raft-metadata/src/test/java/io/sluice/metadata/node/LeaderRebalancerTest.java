package io.sluice.metadata.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.client.CommitStats;
import io.sluice.metadata.client.MetadataClient;
import io.sluice.metadata.command.CommandResult;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.MetadataListener;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The quorum leader's rebalance tick writes an entry only when some broker is imbalanced, and only as leader. */
@Timeout(10)
class LeaderRebalancerTest {

    /** Records submissions and leaves them unanswered (in flight) until {@link #answer()}. */
    private static final class RecordingClient implements MetadataClient {
        final List<MetadataCommand<?>> submitted = new ArrayList<>();
        final List<CompletableFuture<ElectLeaders.Result>> pending = new ArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public <R extends CommandResult> CompletableFuture<R> submit(MetadataCommand<R> command) {
            submitted.add(command);
            CompletableFuture<ElectLeaders.Result> f = new CompletableFuture<>();
            pending.add(f);
            return (CompletableFuture<R>) f;
        }

        void answer() {
            pending.forEach(f -> f.complete(new ElectLeaders.Result((short) 0, null, List.of())));
            pending.clear();
        }

        @Override
        public MetadataImage image() {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<MetadataImage> awaitOffset(long offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void subscribe(MetadataListener listener) {
        }

        @Override
        public void unsubscribe(MetadataListener listener) {
        }

        @Override
        public CommitStats commitStats() {
            return new CommitStats();
        }
    }

    /** Brokers 1 and 2 unfenced; one partition preferring broker 1, in its ISR, led by {@code leader}. */
    private static MetadataImage image(int leader) {
        ImageBuilder b = new ImageBuilder(MetadataImage.empty("test"));
        for (int id = 1; id <= 2; id++) {
            b.putBroker(new BrokerRegistration(id, UUID.randomUUID(), id * 10L, List.of(), Optional.empty(), false, 0));
        }
        PartitionImage p = new PartitionImage(0, new int[] {1, 2}, new int[] {1, 2}, leader, 1, 1);
        b.putTopic(new TopicImage("t", UUID.randomUUID(), new PartitionImage[] {p}, Map.of()));
        return b.build();
    }

    @Test
    void submitsTheRebalanceOnlyWhenImbalancedAndLeadingAndNotTwiceAtOnce() {
        RecordingClient client = new RecordingClient();
        MetadataImage[] current = {image(1)};
        AtomicBoolean leading = new AtomicBoolean(true);
        LeaderRebalancer rebalancer = new LeaderRebalancer(client, () -> current[0], leading::get, Runnable::run);

        rebalancer.tick();
        assertThat(client.submitted).as("balanced: no entry").isEmpty();

        current[0] = image(2);
        leading.set(false);
        rebalancer.tick();
        assertThat(client.submitted).as("not the quorum leader: no entry").isEmpty();

        leading.set(true);
        rebalancer.tick();
        rebalancer.tick();
        assertThat(client.submitted).as("one rebalance in flight at a time").containsExactly(ElectLeaders.automaticRebalance());

        client.answer();
        rebalancer.tick();
        assertThat(client.submitted).hasSize(2);
    }
}
