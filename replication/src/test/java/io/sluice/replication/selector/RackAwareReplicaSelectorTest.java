package io.sluice.replication.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** KIP-392's rack-aware choice of the replica a consumer reads from, as Kafka's RackAwareReplicaSelector makes it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RackAwareReplicaSelectorTest {

    private final ReplicaSelector selector = new RackAwareReplicaSelector();
    private final ReplicaView leader = new ReplicaView(1, "r1", 100, 0);

    @Test
    void aConsumerWithoutARackReadsFromTheLeader() {
        List<ReplicaView> followers = List.of(new ReplicaView(2, "r2", 100, 0));
        assertThat(selector.select("", leader, followers)).isSameAs(leader);
        assertThat(selector.select(null, leader, followers)).isSameAs(leader);
    }

    @Test
    void theLeaderWinsWhenItIsInTheConsumersRack() {
        List<ReplicaView> followers = List.of(new ReplicaView(2, "r1", 100, 0), new ReplicaView(3, "r1", 100, 0));
        assertThat(selector.select("r1", leader, followers)).isSameAs(leader);
        assertThat(selector.picksLeader("r1", "r1")).isTrue();
    }

    @Test
    void aFollowerInTheConsumersRackIsChosen() {
        ReplicaView inRack = new ReplicaView(3, "r3", 90, 10);
        List<ReplicaView> followers = List.of(new ReplicaView(2, "r2", 100, 0), inRack);
        assertThat(selector.select("r3", leader, followers)).isSameAs(inRack);
        assertThat(selector.picksLeader("r3", "r1")).isFalse();
    }

    @Test
    void aRackNoReplicaIsInReadsFromTheLeader() {
        List<ReplicaView> followers = List.of(new ReplicaView(2, "r2", 100, 0), new ReplicaView(3, null, 100, 0));
        assertThat(selector.select("r9", leader, followers)).isSameAs(leader);
    }

    @Test
    void amongFollowersInTheRackTheMostCaughtUpWins() {
        ReplicaView behind = new ReplicaView(2, "r2", 80, 0);
        ReplicaView ahead = new ReplicaView(3, "r2", 95, 500);
        assertThat(selector.select("r2", leader, List.of(behind, ahead))).isSameAs(ahead);
        assertThat(selector.select("r2", leader, List.of(ahead, behind))).isSameAs(ahead);
    }

    @Test
    void equalLogEndOffsetsGoToTheOneCaughtUpMostRecentlyThenToTheHigherId() {
        ReplicaView stale = new ReplicaView(4, "r2", 95, 800);
        ReplicaView fresh = new ReplicaView(2, "r2", 95, 100);
        assertThat(selector.select("r2", leader, List.of(stale, fresh))).isSameAs(fresh);
        ReplicaView twin = new ReplicaView(5, "r2", 95, 100);
        assertThat(selector.select("r2", leader, List.of(twin, fresh))).isSameAs(twin);
        assertThat(selector.select("r2", leader, List.of(fresh, twin))).isSameAs(twin);
    }

    @Test
    void onlyKafkasRackAwareClassNameIsAccepted() {
        assertThat(ReplicaSelector.forClassName(null)).as("unset: the leader only").isNull();
        assertThat(ReplicaSelector.forClassName("org.apache.kafka.common.replica.RackAwareReplicaSelector"))
                .isInstanceOf(RackAwareReplicaSelector.class);
        assertThatThrownBy(() -> ReplicaSelector.forClassName("com.example.NearestReplicaSelector"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replica.selector.class")
                .hasMessageContaining("com.example.NearestReplicaSelector");
    }
}
