package io.sluice.replication.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.metadata.config.ThrottledReplicas;
import io.sluice.storage.TopicPartitionId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replication quota on a stepped clock, with Kafka's defaults (11 samples of 1 s): exceeded
 * when the measured rate of throttled bytes is over the bound, for as long as Kafka's SimpleRate
 * says, and bytes recorded past the bound are paid for by the following windows.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReplicationQuotaTest {

    private final SteppedTime time = new SteppedTime();
    private final ReplicationQuota quota = new ReplicationQuota(ReplicationQuota.Side.LEADER, 11, 1, time);

    @Test
    void unthrottledByDefaultWhateverIsRecorded() {
        assertThat(quota.rateBytesPerSecond()).isEqualTo(Long.MAX_VALUE);
        quota.record(1L << 40);
        assertThat(quota.isQuotaExceeded()).isFalse();
    }

    @Test
    void aBurstOverTheRateIsPaidForByTheFollowingWindows() {
        quota.updateRate(1000);
        assertThat(quota.isQuotaExceeded()).as("nothing recorded yet").isFalse();
        quota.record(5000); // one fetch of 5 KB at 1 KB/s
        assertThat(quota.isQuotaExceeded()).as("5000 B over the 1 s minimum window").isTrue();
        time.step(3000);
        assertThat(quota.byteRate()).isEqualTo(5000 / 3.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(quota.isQuotaExceeded()).as("5000 B over 3 s").isTrue();
        time.step(1999);
        assertThat(quota.isQuotaExceeded()).as("5000 B over 4.999 s").isTrue();
        time.step(1);
        assertThat(quota.isQuotaExceeded()).as("5000 B over 5 s is the bound").isFalse();
    }

    @Test
    void theRateHoldsOverALongRunOfFetchesThatAskFirst() {
        quota.updateRate(1000);
        long moved = 0;
        for (int ms = 0; ms < 60_000; ms += 100) {
            if (!quota.isQuotaExceeded()) {
                quota.record(700);
                moved += 700;
            }
            time.step(100);
        }
        // At most rate x time plus the one fetch that takes it over the bound.
        assertThat(moved).isBetween(55_000L, 60_000L + 700);
        assertThat(quota.recordedBytes()).isEqualTo(moved);
    }

    @Test
    void samplesOlderThanTheWindowsAreForgotten() {
        quota.updateRate(1000);
        quota.record(100_000);
        time.step(11_000);
        assertThat(quota.isQuotaExceeded()).as("11 samples of 1 s later: nothing left").isFalse();
    }

    @Test
    void raisingOrRemovingTheRateTakesEffectAtOnce() {
        quota.updateRate(1000);
        quota.record(5000);
        assertThat(quota.isQuotaExceeded()).isTrue();
        quota.updateRate(10_000);
        assertThat(quota.isQuotaExceeded()).isFalse();
        quota.updateRate(100);
        assertThat(quota.isQuotaExceeded()).isTrue();
        quota.updateRate(Long.MAX_VALUE);
        assertThat(quota.isQuotaExceeded()).isFalse();
        assertThatThrownBy(() -> quota.updateRate(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyTheListedPartitionsOfATopicAreThrottled() {
        quota.setThrottled(Map.of("a", ThrottledReplicas.Partitions.ALL,
                "b", new ThrottledReplicas.Partitions(false, Set.of(1))));
        assertThat(quota.isThrottled(new TopicPartitionId("a", 7))).isTrue();
        assertThat(quota.isThrottled(new TopicPartitionId("b", 1))).isTrue();
        assertThat(quota.isThrottled(new TopicPartitionId("b", 0))).isFalse();
        assertThat(quota.isThrottled(new TopicPartitionId("c", 0))).isFalse();
        quota.setThrottled(Map.of());
        assertThat(quota.throttlesAny()).isFalse();
        assertThat(quota.isThrottled(new TopicPartitionId("a", 7))).isFalse();
    }
}
