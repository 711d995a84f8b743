package io.sluice.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.MetadataCommand;
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

    /** KIP-903: the quorum can only refuse a restarted replica if the leader names the epoch it fetched at. */
    @Test
    void expansionNamesTheBrokerEpochTheFollowerFetchedWith() throws Exception {
        LogConfig config = LogConfig.fromBrokerProperties(Map.of());
        logs = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(), topic -> config);
        TestQuorum client = new TestQuorum();
        replicas = new ReplicaManager(new ReplicaManager.Settings(LEADER, 30_000, 86_400_000, null), logs, client,
                () -> LEADER_BROKER_EPOCH, (image, topic) -> config, topic -> 1, new TestQuorum.NoFetching(), Clock.systemUTC());
        UUID topicId = UUID.randomUUID();
        PartitionImage led = new PartitionImage(0, new int[] {LEADER, FOLLOWER}, new int[] {LEADER}, LEADER, 3, 5);
        MetadataImage image = new ImageBuilder(MetadataImage.empty("test"))
                .putTopic(new TopicImage("t", topicId, new PartitionImage[] {led}, Map.of())).build();
        replicas.onMetadata(image, null);
        CompletableFuture<Void> applied = new CompletableFuture<>();
        replicas.afterPendingChanges(() -> applied.complete(null));
        applied.get(10, TimeUnit.SECONDS);

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
}
