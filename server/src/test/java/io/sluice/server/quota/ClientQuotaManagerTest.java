package io.sluice.server.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recording and throttle math with a stepped clock: kafka-clients' Rate over 11 samples of 1 s
 * (the rate's window is at least 10 s), throttle = (rate - bound) / bound × window.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClientQuotaManagerTest {
    /** A clock tests step; Kafka's {@code Time}. */
    static final class SteppedTime implements Time {
        long nowMs = 1_000_000;

        @Override
        public long milliseconds() {
            return nowMs;
        }

        @Override
        public long nanoseconds() {
            return TimeUnit.MILLISECONDS.toNanos(nowMs);
        }

        @Override
        public void sleep(long ms) {
            nowMs += ms;
        }
    }

    private final SteppedTime time = new SteppedTime();
    private final BrokerQuotas quotas = new BrokerQuotas(11, 1, 11, 1, time, new PrometheusRegistry());

    @AfterEach
    void close() {
        quotas.close();
    }

    private void setQuotas(Map<ClientQuotaEntity, Map<String, Double>> q) {
        ImageBuilder b = new ImageBuilder(MetadataImage.empty("c"));
        q.forEach(b::putClientQuotas);
        quotas.onMetadata(b.build());
    }

    private static ClientQuotaEntity client(String id) {
        return ClientQuotaEntity.of(new ClientQuotaEntity.Component(ClientQuotaEntity.CLIENT_ID, id));
    }

    @Test
    void nothingIsEnabledUntilAQuotaExistsAndAgainAfterItIsRemoved() {
        assertThat(quotas.enabled()).isFalse();
        setQuotas(Map.of(client("app"), Map.of(QuotaKeys.PRODUCER_BYTE_RATE, 1024.0)));
        assertThat(quotas.enabled()).isTrue();
        assertThat(quotas.produce().enabled()).isTrue();
        assertThat(quotas.fetch().enabled()).isFalse();
        setQuotas(Map.of());
        assertThat(quotas.enabled()).isFalse();
    }

    @Test
    void throttleTimeIsKafkasFormulaOverTheRatesWindow() {
        setQuotas(Map.of(client("app"), Map.of(QuotaKeys.PRODUCER_BYTE_RATE, 1024.0)));
        ClientQuotaManager m = quotas.produce();
        long now = time.milliseconds();
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 512, now)).isZero();
        // 20,992 bytes over the 10 s minimum window: 2,099.2 B/s against 1,024 → 10,500 ms.
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 20_480, now)).isEqualTo(10_500);
        // Another client id has no quota (no default): never throttled.
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "other", 1_000_000, now)).isZero();
    }

    @Test
    void unrecordTakesTheBytesBack() {
        setQuotas(Map.of(client("app"), Map.of(QuotaKeys.CONSUMER_BYTE_RATE, 1024.0)));
        ClientQuotaManager m = quotas.fetch();
        long now = time.milliseconds();
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 20_480, now)).isEqualTo(10_000);
        m.unrecord(BrokerQuotas.USER, "app", 20_480, now);
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 5_120, now)).isZero();
    }

    @Test
    void theRateDecaysAsTheClockMovesOn() {
        setQuotas(Map.of(client("app"), Map.of(QuotaKeys.PRODUCER_BYTE_RATE, 1024.0)));
        ClientQuotaManager m = quotas.produce();
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 20_480, time.milliseconds())).isPositive();
        time.sleep(30_000); // every sample of the burst is older than the 11 s kept
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 1_024, time.milliseconds())).isZero();
    }

    @Test
    void aChangedQuotaAppliesToTheExistingSensorAtOnce() {
        setQuotas(Map.of(client("app"), Map.of(QuotaKeys.PRODUCER_BYTE_RATE, 1024.0)));
        ClientQuotaManager m = quotas.produce();
        long now = time.milliseconds();
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 5_120, now)).isZero();
        setQuotas(Map.of(client("app"), Map.of(QuotaKeys.PRODUCER_BYTE_RATE, 256.0)));
        // 10,240 bytes / 10 s = 1,024 B/s against 256 → 30,000 ms.
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 5_120, now)).isEqualTo(30_000);
    }

    @Test
    void theMostOneFetchMayCarryIsTheBoundOverTheMinimumWindow() {
        assertThat(quotas.fetch().maxValueInQuotaWindow(BrokerQuotas.USER, "app")).isEqualTo(Double.MAX_VALUE);
        setQuotas(Map.of(client("app"), Map.of(QuotaKeys.CONSUMER_BYTE_RATE, 1024.0)));
        // 1,024 B/s × (11 - 1) samples × 1 s.
        assertThat(quotas.fetch().maxValueInQuotaWindow(BrokerQuotas.USER, "app")).isEqualTo(10_240.0);
        assertThat(quotas.fetch().recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 10_240, time.milliseconds()))
            .isZero();
        assertThat(quotas.fetch().maxValueInQuotaWindow(BrokerQuotas.USER, "other")).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void aRequestQuotaThrottleIsCappedAtOneWindow() {
        setQuotas(Map.of(client("app"), Map.of(QuotaKeys.REQUEST_PERCENTAGE, 1.0)));
        ClientQuotaManager m = quotas.request();
        // 500 percent-seconds in one go: far over 1 %, but Kafka caps the request throttle at 1 s.
        assertThat(m.recordAndGetThrottleTimeMs(BrokerQuotas.USER, "app", 500, time.milliseconds())).isEqualTo(1_000);
    }
}
