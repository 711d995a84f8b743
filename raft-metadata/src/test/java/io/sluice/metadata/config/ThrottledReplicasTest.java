package io.sluice.metadata.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kafka's replica-list format for the *.replication.throttled.replicas topic configs: validation and reading. */
class ThrottledReplicasTest {

    @Test
    void kafkasValidListsAreAccepted() {
        for (String v : new String[] {"*", " * ", "*,", "0:1", "0:1,1:2", " 0:1 , 1:2 ", "", "0:1,,2:3", "12:345"}) {
            assertThat(ConfigValidator.validateTopicConfig(ThrottledReplicas.LEADER_CONFIG, v)).as(v).isEmpty();
            assertThat(ConfigValidator.validateTopicConfig(ThrottledReplicas.FOLLOWER_CONFIG, v)).as(v).isEmpty();
        }
    }

    @Test
    void badListsAreRefusedWithKafkasMessageNamingTheConfig() {
        for (String v : new String[] {"x", "0", "0:", ":1", "0:1:2", "*,0:1", "-1:1", "0;1", "a:b", "**", "0 :1"}) {
            assertThat(ConfigValidator.validateTopicConfig(ThrottledReplicas.FOLLOWER_CONFIG, v)).as(v)
                    .hasValue("Invalid value " + v + " for configuration follower.replication.throttled.replicas: "
                            + "follower.replication.throttled.replicas must be the literal '*' or a list of replicas in "
                            + "the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...");
        }
    }

    @Test
    void aBrokerThrottlesThePartitionsListedWithItsOwnId() {
        assertThat(ThrottledReplicas.forBroker("0:1,1:2,2:1, 3:1 ", 1)).isEqualTo(new ThrottledReplicas.Partitions(false, Set.of(0, 2, 3)));
        assertThat(ThrottledReplicas.forBroker("0:1,1:2", 3).isEmpty()).isTrue();
        assertThat(ThrottledReplicas.forBroker("*", 3).contains(17)).isTrue();
        assertThat(ThrottledReplicas.forBroker("", 3)).isEqualTo(ThrottledReplicas.Partitions.NONE);
        assertThat(ThrottledReplicas.forBroker(null, 3)).isEqualTo(ThrottledReplicas.Partitions.NONE);
        assertThat(ThrottledReplicas.forBroker("99999999999:1,0:99999999999,1:1", 1).ids()).containsExactly(1);
    }

    @Test
    void theThrottledRatesAreDynamicBrokerConfigsOfAtLeastZero() {
        assertThat(ConfigValidator.validateBrokerConfig("leader.replication.throttled.rate", "204800")).isEmpty();
        assertThat(ConfigValidator.validateBrokerConfig("follower.replication.throttled.rate", "0")).isEmpty();
        assertThat(ConfigValidator.validateBrokerConfig("leader.replication.throttled.rate", "-1")).hasValue(
                "Invalid value -1 for configuration leader.replication.throttled.rate: Value must be at least 0");
        assertThat(ConfigValidator.validateBrokerConfig("follower.replication.throttled.rate", "fast")).isPresent();
    }
}
