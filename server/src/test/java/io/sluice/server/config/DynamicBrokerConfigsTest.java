package io.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DynamicBrokerConfigsTest {

    private static final short INVALID_REQUEST = 42;

    @Test
    void appliedLogConfigsPassAndBecomeTopicConfigs() {
        assertThat(DynamicBrokerConfigs.checkSet("", "log.retention.ms", "3000")).isNull();
        assertThat(DynamicBrokerConfigs.checkSet("1", "message.max.bytes", "2000")).isNull();
        assertThat(DynamicBrokerConfigs.checkSet("", "log.cleanup.policy", "delete")).isNull();
        assertThat(DynamicBrokerConfigs.asTopicConfigs(Map.of("log.retention.ms", "3000", "log.roll.ms", "1",
                "message.max.bytes", "2000", "unclean.leader.election.enable", "true")))
                .isEqualTo(Map.of("retention.ms", "3000", "segment.ms", "1", "max.message.bytes", "2000"));
    }

    @Test
    void theReplicationThrottleRatesAreAppliedPerBrokerAndAsTheClusterDefault() {
        for (String name : new String[] {"leader.replication.throttled.rate", "follower.replication.throttled.rate"}) {
            assertThat(DynamicBrokerConfigs.checkSet("", name, "204800")).isNull();
            assertThat(DynamicBrokerConfigs.checkSet("1", name, "204800")).isNull();
            assertThat(DynamicBrokerConfigs.applied()).contains(name);
        }
    }

    @Test
    void whatIsNotAppliedIsRefusedNamingIt() {
        for (String name : new String[] {"num.io.threads", "log.retention.hours", "min.insync.replicas", "compression.type",
                "share.coordinator.state.topic.replication.factor", "sasl.kerberos.min.time.before.relogin", "ssl.cipher.suites"}) {
            DynamicBrokerConfigs.Refusal r = DynamicBrokerConfigs.checkSet("", name, "1");
            assertThat(r).as(name).isNotNull();
            assertThat(r.errorCode()).isEqualTo(INVALID_REQUEST);
            assertThat(r.message()).contains(name);
        }
        assertThat(DynamicBrokerConfigs.checkSet("", "log.cleanup.policy", "compact"))
                .as("applied: retention then keeps compact-only logs whole").isNull();
        assertThat(DynamicBrokerConfigs.checkSet("1", "unclean.leader.election.enable", "true").message())
                .contains("cluster-wide default only");
        assertThat(DynamicBrokerConfigs.checkSet("", "no.such.config", "1")).as("left to the quorum: INVALID_CONFIG").isNull();
    }
}
