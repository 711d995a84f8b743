package io.sluice.server.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.server.quota.ControllerMutationQuotaManager.MutationQuota;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-599 with a stepped clock: a token bucket of rate 1 partition/s and burst 11 (11 samples × 1 s),
 * strict from a request version on, permissive before, as Kafka's ControllerMutationQuotaManager.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControllerMutationQuotaTest {
    private static final short STRICT_SINCE = 6;

    private final ClientQuotaManagerTest.SteppedTime time = new ClientQuotaManagerTest.SteppedTime();
    private final BrokerQuotas quotas = new BrokerQuotas(11, 1, 11, 1, time, new PrometheusRegistry());

    @BeforeEach
    void oneMutationPerSecondForApp() {
        ImageBuilder b = new ImageBuilder(MetadataImage.empty("c"));
        b.putClientQuotas(ClientQuotaEntity.of(new ClientQuotaEntity.Component(ClientQuotaEntity.CLIENT_ID, "app")),
            Map.of(QuotaKeys.CONTROLLER_MUTATION_RATE, 1.0));
        quotas.onMetadata(b.build());
    }

    @AfterEach
    void close() {
        quotas.close();
    }

    private MutationQuota quota(String clientId, short version) {
        return quotas.controllerMutation().newQuotaFor(clientId, version, STRICT_SINCE);
    }

    @Test
    void strictAcceptsUntilTheBucketIsBelowZeroThenRefusesAndThrottlesUntilRefilled() {
        assertThat(quotas.enabled()).isTrue();
        MutationQuota q = quota("app", (short) 6);
        assertThat(q.tryRecord(10)).isTrue(); // 11 → 1 token
        assertThat(q.tryRecord(10)).as("checked before recording: 1 token left").isTrue(); // → -9
        assertThat(q.throttleTimeMs()).isZero();
        assertThat(q.tryRecord(1)).as("bucket below zero").isFalse();
        assertThat(q.throttleTimeMs()).as("9 tokens at 1/s").isEqualTo(9_000);
        time.sleep(4_000);
        assertThat(q.throttleTimeMs()).as("less the time since").isEqualTo(5_000);
        time.sleep(5_000);
        assertThat(quota("app", (short) 6).tryRecord(1)).as("refilled to 0").isTrue();
    }

    @Test
    void permissiveAcceptsEverythingAndThrottlesAfterwards() {
        MutationQuota q = quota("app", (short) 5);
        assertThat(q.tryRecord(10)).isTrue();
        assertThat(q.tryRecord(10)).isTrue();
        assertThat(q.tryRecord(5)).isTrue();
        assertThat(q.throttleTimeMs()).as("14 tokens below zero at 1/s").isEqualTo(14_000);
    }

    @Test
    void givingBackRefillsTheBucketAndOtherClientsAreUnbounded() {
        MutationQuota q = quota("app", (short) 6);
        assertThat(q.tryRecord(12)).isTrue(); // → -1
        assertThat(q.tryRecord(1)).isFalse();
        q.unrecord(12);
        assertThat(quota("app", (short) 6).tryRecord(1)).isTrue();
        MutationQuota other = quota("other", (short) 6);
        for (int i = 0; i < 100; i++) {
            assertThat(other.tryRecord(1_000)).isTrue();
        }
        assertThat(other.throttleTimeMs()).isZero();
    }
}
