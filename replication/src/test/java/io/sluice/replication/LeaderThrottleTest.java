package io.sluice.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.config.ThrottledReplicas;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.replication.quota.ReplicationQuota;
import io.sluice.replication.quota.SteppedTime;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kafka's shouldLeaderThrottle on a real led partition: only throttled partitions, only out-of-ISR followers, only over the quota. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeaderThrottleTest {

    private static final int LEADER = 1;
    private static final int IN_SYNC = 2;
    private static final int CATCHING_UP = 3;

    @TempDir
    Path dir;

    private final SteppedTime time = new SteppedTime();
    private final ReplicationQuota quota = new ReplicationQuota(ReplicationQuota.Side.LEADER, 11, 1, time);
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

    @Test
    void anOutOfSyncFollowerOfAThrottledPartitionIsThrottledWhileTheQuotaIsExceeded() throws Exception {
        Partition led = leadPartition0();
        quota.updateRate(1000);
        assertThat(quota.shouldThrottleFollowerFetch(led, CATCHING_UP)).as("not a throttled partition").isFalse();
        quota.setThrottled(Map.of("t", new ThrottledReplicas.Partitions(false, Set.of(0))));
        assertThat(quota.shouldThrottleFollowerFetch(led, CATCHING_UP)).as("within the quota").isFalse();
        quota.record(5000);
        assertThat(quota.shouldThrottleFollowerFetch(led, CATCHING_UP)).isTrue();
        assertThat(quota.shouldThrottleFollowerFetch(led, IN_SYNC)).as("ISR members are never throttled").isFalse();
        assertThat(quota.throttledPartitions()).isEqualTo(1);
        time.step(5000);
        assertThat(quota.shouldThrottleFollowerFetch(led, CATCHING_UP)).as("the rate is back at the bound").isFalse();
    }

    private Partition leadPartition0() throws Exception {
        LogConfig config = LogConfig.fromBrokerProperties(Map.of());
        logs = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(), topic -> config);
        replicas = new ReplicaManager(new ReplicaManager.Settings(LEADER, 30_000, 86_400_000, null), logs, new TestQuorum(),
                () -> 1L, (image, topic) -> config, topic -> 1, new TestQuorum.NoFetching(), Clock.systemUTC());
        PartitionImage p = new PartitionImage(0, new int[] {LEADER, IN_SYNC, CATCHING_UP}, new int[] {LEADER, IN_SYNC},
                LEADER, 3, 5);
        replicas.onMetadata(new ImageBuilder(MetadataImage.empty("test"))
                .putTopic(new TopicImage("t", UUID.randomUUID(), new PartitionImage[] {p}, Map.of())).build(), null);
        CompletableFuture<Void> applied = new CompletableFuture<>();
        replicas.afterPendingChanges(() -> applied.complete(null));
        applied.get(10, TimeUnit.SECONDS);
        return replicas.partition("t", 0);
    }
}
