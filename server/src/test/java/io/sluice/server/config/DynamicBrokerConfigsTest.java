package io.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.storage.cleaner.CleanerConfig;
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

    @Test
    void cleanerSettingsAreAppliedPerBrokerOverTheClusterDefaultAndBadValuesAreRefusedNamingThem() {
        for (String name : CleanerConfig.RECONFIGURABLE) {
            assertThat(DynamicBrokerConfigs.applied()).contains(name);
        }
        assertThat(DynamicBrokerConfigs.checkSet("1", "log.cleaner.threads", "2")).isNull();
        assertThat(DynamicBrokerConfigs.checkSet("", "log.cleaner.io.max.bytes.per.second", "1048576")).isNull();
        DynamicBrokerConfigs.Refusal r = DynamicBrokerConfigs.checkSet("", "log.cleaner.io.buffer.load.factor", "1.5");
        assertThat(r.errorCode()).isEqualTo(INVALID_REQUEST);
        assertThat(r.message()).contains("log.cleaner.io.buffer.load.factor");
        assertThat(DynamicBrokerConfigs.checkSet("", "log.cleaner.dedupe.buffer.size", "1").message())
                .contains("log.cleaner.dedupe.buffer.size");
        assertThat(DynamicBrokerConfigs.checkSet("", "log.cleaner.enable", "false").message())
                .as("not reconfigurable in Kafka either").contains("log.cleaner.enable");

        MetadataImage image = new ImageBuilder(MetadataImage.empty("c"))
                .putBrokerConfigs("", Map.of("log.cleaner.threads", "2", "log.cleaner.backoff.ms", "100"))
                .putBrokerConfigs("1", Map.of("log.cleaner.threads", "3"))
                .build();
        CleanerConfig onBroker1 = DynamicBrokerConfigs.cleanerConfig(CleanerConfig.DEFAULTS, 1, image);
        assertThat(onBroker1.threads()).isEqualTo(3);
        assertThat(onBroker1.backoffMs()).isEqualTo(100);
        assertThat(DynamicBrokerConfigs.cleanerConfig(CleanerConfig.DEFAULTS, 2, image).threads()).isEqualTo(2);
        assertThat(DynamicBrokerConfigs.cleanerConfig(CleanerConfig.DEFAULTS, 2, MetadataImage.empty("c")))
                .isEqualTo(CleanerConfig.DEFAULTS);
    }

    @Test
    void cleanerLogConfigSynonymsBecomeTopicDefaults() {
        assertThat(DynamicBrokerConfigs.checkSet("", "log.cleaner.min.cleanable.ratio", "0.1")).isNull();
        assertThat(DynamicBrokerConfigs.asTopicConfigs(Map.of("log.cleaner.delete.retention.ms", "1000",
                "log.cleaner.min.compaction.lag.ms", "2", "log.cleaner.max.compaction.lag.ms", "3",
                "log.cleaner.min.cleanable.ratio", "0.1", "log.cleaner.threads", "2")))
                .isEqualTo(Map.of("delete.retention.ms", "1000", "min.compaction.lag.ms", "2",
                        "max.compaction.lag.ms", "3", "min.cleanable.dirty.ratio", "0.1"));
    }
}
