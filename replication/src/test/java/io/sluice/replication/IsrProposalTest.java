package io.sluice.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the ReplicaManager asks the quorum when a follower caught up: the ISR with its members' broker epochs. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IsrProposalTest {

    private static final int LEADER = 1;
    private static final int FOLLOWER = 2;
    private static final long LEADER_BROKER_EPOCH = 10;
    private static final long FOLLOWER_BROKER_EPOCH = 77;

    @TempDir
    Path dir;

    private LogManager logs;
    private ReplicaManager replicas;

    @AfterEach
    void stop() {
        if (replicas != null) {
            replicas.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private static final int FENCED = 3;

    private TestQuorum client;

    /** This node leads t-0 (ISR: the leader alone) over {@code replicas}; {@code unfenced} are registered and unfenced, FENCED fenced. */
    private UUID leadPartition(int[] replicaIds, int... unfenced) throws Exception {
        LogConfig config = LogConfig.fromBrokerProperties(Map.of());
        logs = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(), topic -> config);
        UUID topicId = UUID.randomUUID();
        PartitionImage led = new PartitionImage(0, replicaIds, new int[] {LEADER}, LEADER, 3, 5);
        ImageBuilder b = new ImageBuilder(MetadataImage.empty("test"))
                .putBroker(new BrokerRegistration(FENCED, UUID.randomUUID(), 1, List.of(), Optional.empty(), true, 0))
                .putTopic(new TopicImage("t", topicId, new PartitionImage[] {led}, Map.of()));
        for (int id : unfenced) {
            b.putBroker(new BrokerRegistration(id, UUID.randomUUID(), FOLLOWER_BROKER_EPOCH, List.of(), Optional.empty(),
                    false, 0));
        }
        MetadataImage image = b.build();
        client = new TestQuorum(() -> image);
        replicas = new ReplicaManager(new ReplicaManager.Settings(LEADER, 30_000, 86_400_000, null), logs, client,
                () -> LEADER_BROKER_EPOCH, (i, topic) -> config, topic -> 1, new TestQuorum.NoFetching(), Clock.systemUTC());
        replicas.onMetadata(image, null);
        CompletableFuture<Void> applied = new CompletableFuture<>();
        replicas.afterPendingChanges(() -> applied.complete(null));
        applied.get(10, TimeUnit.SECONDS);
        return topicId;
    }

    /** KIP-903: the quorum can only refuse a restarted replica if the leader names the epoch it fetched at. */
    @Test
    void expansionNamesTheBrokerEpochTheFollowerFetchedWith() throws Exception {
        UUID topicId = leadPartition(new int[] {LEADER, FOLLOWER}, FOLLOWER);

        replicas.onFollowerFetch(replicas.partition("t", 0), FOLLOWER, FOLLOWER_BROKER_EPOCH, 0, 0);

        MetadataCommand<?> sent = client.submitted.poll(10, TimeUnit.SECONDS);
        assertThat(sent).isInstanceOf(AlterPartition.class);
        AlterPartition alter = (AlterPartition) sent;
        assertThat(alter.brokerId()).isEqualTo(LEADER);
        assertThat(alter.brokerEpoch()).isEqualTo(LEADER_BROKER_EPOCH);
        AlterPartition.IsrChange change = alter.changes().get(0);
        assertThat(change.topicId()).isEqualTo(topicId);
        assertThat(change.leaderEpoch()).isEqualTo(3);
        assertThat(change.partitionEpoch()).isEqualTo(5);
        assertThat(change.newIsr()).containsExactly(LEADER, FOLLOWER);
        assertThat(change.newIsrBrokerEpochs())
                .containsExactly(AlterPartition.IsrChange.UNKNOWN_BROKER_EPOCH, FOLLOWER_BROKER_EPOCH);
    }

    /**
     * Kafka's isReplicaIsrEligible and maybeExpandIsr(follower): a fenced broker's caught-up fetch
     * proposes nothing, and a later fetch by another follower proposes only that follower, not the
     * fenced one whose last fetch (from before it was fenced) had caught up.
     */
    @Test
    void onlyTheFetchingUnfencedFollowerIsProposed() throws Exception {
        leadPartition(new int[] {LEADER, FOLLOWER, FENCED}, FOLLOWER);

        replicas.onFollowerFetch(replicas.partition("t", 0), FENCED, 1, 0, 0);
        replicas.onFollowerFetch(replicas.partition("t", 0), FOLLOWER, FOLLOWER_BROKER_EPOCH, 0, 0);

        MetadataCommand<?> sent = client.submitted.poll(10, TimeUnit.SECONDS);
        assertThat(((AlterPartition) sent).changes().get(0).newIsr()).containsExactly(LEADER, FOLLOWER);
    }
}
