package io.sluice.metadata.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The quorum binds the host of its controller listener, as Kafka binds every listener (issue 11,
 * item 4); the leader rebalance settings keep Kafka's names and defaults.
 */
@Timeout(10)
class MetadataNodeConfigTest {

    private static Properties props(String listeners) {
        Properties p = new Properties();
        p.setProperty("node.id", "1");
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("controller.quorum.voters", "1@voter.example:9093");
        p.setProperty("metadata.log.dir", "/tmp/unused");
        if (listeners != null) {
            p.setProperty("listeners", listeners);
        }
        return p;
    }

    @Test
    void theControllerListenersHostIsBound() {
        assertThat(MetadataNodeConfig.fromProperties(props("PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093")).bindHost())
                .isEqualTo("127.0.0.1");
        assertThat(MetadataNodeConfig.fromProperties(props("PLAINTEXT://:9092,controller://[::1]:9093")).bindHost())
                .isEqualTo("::1");
    }

    @Test
    void aListenerWithoutHostBindsEveryInterfaceAndNoListenerBindsTheVotersHost() {
        assertThat(MetadataNodeConfig.fromProperties(props("PLAINTEXT://:9092,CONTROLLER://:9093")).bindHost()).isEmpty();
        assertThat(MetadataNodeConfig.fromProperties(props(null)).bindHost()).isEqualTo("voter.example");
        Properties named = props("PLAINTEXT://:9092,QUORUM://localhost:9093");
        named.setProperty("controller.listener.names", "QUORUM");
        assertThat(MetadataNodeConfig.fromProperties(named).bindHost()).isEqualTo("localhost");
    }

    @Test
    void leaderRebalanceSettingsHaveKafkasDefaultsAndAreRead() {
        MetadataNodeConfig defaults = MetadataNodeConfig.fromProperties(props(null));
        assertThat(defaults.autoLeaderRebalanceEnable()).isTrue();
        assertThat(defaults.leaderImbalanceCheckIntervalSeconds()).isEqualTo(300);

        Properties p = props(null);
        p.setProperty("auto.leader.rebalance.enable", "FALSE");
        p.setProperty("leader.imbalance.check.interval.seconds", "7");
        MetadataNodeConfig set = MetadataNodeConfig.fromProperties(p);
        assertThat(set.autoLeaderRebalanceEnable()).isFalse();
        assertThat(set.leaderImbalanceCheckIntervalSeconds()).isEqualTo(7);

        p.setProperty("leader.imbalance.check.interval.seconds", "0");
        assertThatThrownBy(() -> MetadataNodeConfig.fromProperties(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leader.imbalance.check.interval.seconds");
        p.setProperty("leader.imbalance.check.interval.seconds", "7");
        p.setProperty("auto.leader.rebalance.enable", "yes");
        assertThatThrownBy(() -> MetadataNodeConfig.fromProperties(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto.leader.rebalance.enable");
    }
}
