package io.sluice.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.server.quota.ReplicationThrottles;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The replication throttle series as the endpoint writes them: one per side, the limit +Inf when unthrottled. */
@Timeout(10)
class ReplicationThrottleGaugesTest {

    @Test
    void eachSideShowsItsLimitRateBytesAndState() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        ReplicationThrottles throttles = new ReplicationThrottles(1, 11, 1, Time.SYSTEM);
        ReplicationThrottleGauges.register(registry, throttles);
        throttles.leader().updateRate(1000);
        throttles.leader().record(5000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("sluice_replication_throttle_limit_bytes_per_second{side=\"leader\"} 1000.0")
                .contains("sluice_replication_throttle_limit_bytes_per_second{side=\"follower\"} +Inf")
                .contains("sluice_replication_throttled_bytes_total{side=\"leader\"} 5000.0")
                .contains("sluice_replication_throttle_exceeded{side=\"leader\"} 1.0")
                .contains("sluice_replication_throttle_exceeded{side=\"follower\"} 0.0")
                .contains("# HELP sluice_replication_throttled_rate_bytes_per_second");
    }
}
