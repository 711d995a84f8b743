package io.sluice.replication.fetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.replication.quota.ReplicationQuota;
import io.sluice.storage.TopicPartitionId;
import java.util.Optional;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Spreading followed partitions over fetchers, and the dynamic num.replica.fetchers. No leader answers here. */
@Timeout(30)
class ReplicaFetcherManagerTest {

    private final ReplicaFetcherManager manager = new ReplicaFetcherManager(
            new FetcherConfig(1, () -> 1L, 1, 1 << 20, 10 << 20, 20, 1, 50, 1000), id -> Optional.empty(),
            new ReplicationQuota(ReplicationQuota.Side.FOLLOWER, 11, 1, Time.SYSTEM));

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void resizingSpreadsThePartitionsOverTheNewNumberOfFetchersPerLeader() {
        for (int p = 0; p < 12; p++) {
            manager.follow(new ReplicaFetcherTest.FakeReplica(new TopicPartitionId("t", p), 0), 2);
        }
        assertThat(manager.fetcherCount()).isEqualTo(1);
        manager.resize(3);
        assertThat(manager.fetcherCount()).as("12 partitions hashed over 3 fetchers").isEqualTo(3);
        manager.resize(1);
        assertThat(manager.fetcherCount()).isEqualTo(1);
        manager.unfollow(new TopicPartitionId("t", 0));
        assertThat(manager.fetcherCount()).isEqualTo(1);
    }

    @Test
    void fewerThanOneFetcherIsRefused() {
        assertThatThrownBy(() -> manager.resize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num.replica.fetchers");
    }
}
