package io.sluice.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.replication.selector.RackAwareReplicaSelector;
import io.sluice.replication.selector.ReplicaSelector;
import io.sluice.storage.ErrorCode;
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

/**
 * What the ReplicaManager offers a consumer's Fetch under KIP-392: any replica held here (a
 * follower too) with Kafka's epoch errors, and on the leader the preferred read replica among
 * in-sync, reachable followers that hold the offset.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadReplicaLookupTest {

    private static final int SELF = 1;
    private static final String LISTENER = "PLAINTEXT";
    private static final long BROKER_EPOCH = 10;

    @TempDir
    Path dir;

    private LogManager logs;
    private ReplicaManager replicas;
    private volatile MetadataImage image;

    @AfterEach
    void stop() {
        if (replicas != null) {
            replicas.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private static BrokerRegistration broker(int id, String rack, boolean fenced, boolean onListener) {
        List<Endpoint> endpoints = onListener ? List.of(new Endpoint(LISTENER, "localhost", 9000 + id, (short) 0))
                : List.of(new Endpoint("OTHER", "localhost", 9000 + id, (short) 0));
        return new BrokerRegistration(id, UUID.randomUUID(), BROKER_EPOCH, endpoints, Optional.of(rack), fenced, 0);
    }

    /**
     * Node 1 leads "led" (replicas 1-4, all in sync) and follows node 2 on "followed" at epoch 5.
     * Broker 3 (rack r3) is fenced; broker 4 (rack r4) has no endpoint on the client's listener.
     */
    private void start(ReplicaSelector selector) throws Exception {
        LogConfig config = LogConfig.fromBrokerProperties(Map.of());
        logs = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(), t -> config);
        int[] all = {1, 2, 3, 4};
        image = new ImageBuilder(MetadataImage.empty("c"))
                .putBroker(broker(1, "r1", false, true)).putBroker(broker(2, "r2", false, true))
                .putBroker(broker(3, "r3", true, true)).putBroker(broker(4, "r4", false, false))
                .putTopic(new TopicImage("led", UUID.randomUUID(), new PartitionImage[] {
                    new PartitionImage(0, all, all, SELF, 3, 1)}, Map.of()))
                .putTopic(new TopicImage("followed", UUID.randomUUID(), new PartitionImage[] {
                    new PartitionImage(0, new int[] {2, 1}, new int[] {2, 1}, 2, 5, 1)}, Map.of()))
                .build();
        replicas = new ReplicaManager(new ReplicaManager.Settings(SELF, 30_000, 86_400_000, selector), logs,
                new TestQuorum(() -> image), () -> BROKER_EPOCH, (img, t) -> config, t -> 1,
                new TestQuorum.NoFetching(), Clock.systemUTC());
        replicas.onMetadata(image, null);
        CompletableFuture<Void> applied = new CompletableFuture<>();
        replicas.afterPendingChanges(() -> applied.complete(null));
        applied.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aConsumerMayReachAFollowerWithKafkasEpochErrors() throws Exception {
        start(new RackAwareReplicaSelector());
        assertThat(replicas.leader("followed", 0, -1).errorCode()).as("leader-only APIs")
                .isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        assertThat(replicas.replica("followed", 0, -1).found()).isTrue();
        assertThat(replicas.replica("followed", 0, 5).found()).isTrue();
        assertThat(replicas.replica("followed", 0, 4).errorCode()).isEqualTo(ErrorCode.FENCED_LEADER_EPOCH);
        assertThat(replicas.replica("followed", 0, 6).errorCode()).isEqualTo(ErrorCode.UNKNOWN_LEADER_EPOCH);
        assertThat(replicas.replica("elsewhere", 0, -1).errorCode()).isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        assertThat(replicas.replica("led", 0, 3).found()).isTrue();
    }

    @Test
    void theLeaderSendsAConsumerToAnInSyncReachableFollowerInItsRack() throws Exception {
        start(new RackAwareReplicaSelector());
        Partition led = replicas.leader("led", 0, -1).partition();
        assertThat(replicas.preferredReadReplica(led, "r2", 0, LISTENER)).as("no fetch from 2 yet").isEqualTo(-1);
        for (int follower = 2; follower <= 4; follower++) {
            replicas.onFollowerFetch(led, follower, BROKER_EPOCH, 0, 0);
        }
        assertThat(replicas.preferredReadReplica(led, "r2", 0, LISTENER)).isEqualTo(2);
        assertThat(replicas.preferredReadReplica(led, "r2", 1, LISTENER)).as("2 does not hold offset 1").isEqualTo(-1);
        assertThat(replicas.preferredReadReplica(led, "r1", 0, LISTENER)).as("the leader's own rack").isEqualTo(-1);
        assertThat(replicas.preferredReadReplica(led, "", 0, LISTENER)).as("no client.rack").isEqualTo(-1);
        assertThat(replicas.preferredReadReplica(led, "r3", 0, LISTENER)).as("fenced").isEqualTo(-1);
        assertThat(replicas.preferredReadReplica(led, "r4", 0, LISTENER)).as("not on the client's listener").isEqualTo(-1);
        Partition followed = replicas.replica("followed", 0, -1).partition();
        assertThat(replicas.preferredReadReplica(followed, "r2", 0, LISTENER)).as("only a leader chooses").isEqualTo(-1);
    }

    @Test
    void withoutAReplicaSelectorEveryConsumerStaysOnTheLeader() throws Exception {
        start(null);
        Partition led = replicas.leader("led", 0, -1).partition();
        replicas.onFollowerFetch(led, 2, BROKER_EPOCH, 0, 0);
        assertThat(replicas.preferredReadReplica(led, "r2", 0, LISTENER)).isEqualTo(-1);
    }
}
