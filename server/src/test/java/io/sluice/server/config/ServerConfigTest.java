package io.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.server.group.GroupConfig;
import io.sluice.server.group.consumer.ConsumerGroupConfig;
import io.sluice.server.group.consumer.MigrationPolicy;
import io.sluice.server.group.share.ShareGroupConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ServerConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("node.id", "1");
        m.put("log.dirs", "/tmp/x");
        return m;
    }

    @Test
    void defaultsAreKafkas() {
        ServerConfig c = ServerConfig.parse(minimal());
        assertThat(c.getInt(ServerConfigDef.SOCKET_REQUEST_MAX_BYTES)).isEqualTo(104_857_600);
        assertThat(c.getLong(ServerConfigDef.CONNECTIONS_MAX_IDLE_MS)).isEqualTo(600_000L);
        assertThat(c.getInt(ServerConfigDef.MESSAGE_MAX_BYTES)).isEqualTo(1_048_588);
        assertThat(c.getInt(ServerConfigDef.NUM_PARTITIONS)).isEqualTo(1);
        assertThat(c.getBoolean(ServerConfigDef.AUTO_CREATE_TOPICS_ENABLE)).isTrue();
        assertThat(c.retentionMs()).isEqualTo(168L * 3_600_000L);
        assertThat(c.clientListener()).isEqualTo(new ServerConfig.Listener("PLAINTEXT", "", 9092));
        assertThat(c.controllerListener()).isEqualTo(new ServerConfig.Listener("CONTROLLER", "", 9093));
    }

    @Test
    void unknownSettingIsNamed() {
        Map<String, String> m = minimal();
        m.put("log.retention.hourz", "3");
        assertThatThrownBy(() -> ServerConfig.parse(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("log.retention.hourz");
    }

    @Test
    void invalidValueIsNamed() {
        Map<String, String> m = minimal();
        m.put("num.partitions", "zero");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("num.partitions").hasMessageContaining("zero");
        m.put("num.partitions", "0");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("num.partitions").hasMessageContaining("at least 1");
        m.put("num.partitions", "2");
        m.put("auto.create.topics.enable", "yes");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("auto.create.topics.enable");
    }

    @Test
    void onlyKafkasRackAwareReplicaSelectorIsAcceptedNoOtherClassIsLoaded() {
        Map<String, String> m = minimal();
        m.put("broker.rack", "r1");
        m.put("replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector");
        assertThat(ServerConfig.parse(m).getString("broker.rack")).isEqualTo("r1");
        m.put("replica.selector.class", "org.apache.kafka.common.replica.LeaderSelectorThatDoesNotExist");
        assertThatThrownBy(() -> ServerConfig.parse(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("replica.selector.class").hasMessageContaining("loads no plugin classes");
    }

    @Test
    void missingNodeIdIsNamed() {
        Map<String, String> m = minimal();
        m.remove("node.id");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("node.id");
    }

    @Test
    void badListenerIsNamed() {
        Map<String, String> m = minimal();
        m.put("listeners", "PLAINTEXT:/localhost:9092");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("listeners");
        m.put("listeners", "PLAINTEXT://localhost:99999");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("listeners");
    }

    @Test
    void aStaticUncleanElectionDefaultIsRefusedAndPointsToTheDynamicOne() {
        Map<String, String> m = minimal();
        m.put("unclean.leader.election.enable", "false");
        assertThat(ServerConfig.parse(m).noEffectSettings()).doesNotContain("unclean.leader.election.enable");
        m.put("unclean.leader.election.enable", "true");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("unclean.leader.election.enable")
                .hasMessageContaining("--entity-default");
    }

    @Test
    void theInterBrokerListenerMustBeOneThisBrokerServes() {
        Map<String, String> m = minimal();
        m.put("listeners", "CLIENT://:9092,INTERNAL://:9094,CONTROLLER://:9093");
        m.put("listener.security.protocol.map", "CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
        assertThatThrownBy(() -> ServerConfig.parse(m)).as("Kafka's default, PLAINTEXT, names no listener here")
                .hasMessageContaining("inter.broker.listener.name").hasMessageContaining("[CLIENT, INTERNAL]");
        m.put("inter.broker.listener.name", "internal");
        ServerConfig c = ServerConfig.parse(m);
        assertThat(c.interBrokerListenerName()).isEqualTo("INTERNAL");
        assertThat(c.brokerListeners()).extracting(ServerConfig.Listener::name).containsExactly("CLIENT", "INTERNAL");
        m.put("inter.broker.listener.name", "CONTROLLER");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("inter.broker.listener.name");
    }

    @Test
    void unknownRolesAreNamed() {
        Map<String, String> m = minimal();
        m.put("process.roles", "broker,dancer");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("dancer");
        m.put("process.roles", "");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("process.roles");
    }

    @Test
    void aBrokerOnlyNodeFollowsVotersItIsNotOneOfAndHasNoControllerListener() {
        Map<String, String> m = minimal();
        m.put("process.roles", "broker");
        m.put("listeners", "PLAINTEXT://localhost:9092");
        m.put("controller.quorum.voters", "2@localhost:9093");
        ServerConfig c = ServerConfig.parse(m);
        assertThat(c.isBroker() && !c.isController()).isTrue();

        m.put("controller.quorum.voters", "");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("controller.quorum.voters")
                .hasMessageContaining("broker-only node must be told the voters");
        m.put("controller.quorum.voters", "1@localhost:9093,2@localhost:9094");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("node id 1 must not be included");
        m.put("controller.quorum.voters", "2@localhost:9093");
        m.put("listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("must not contain a value appearing in the 'listeners'");
        m.put("listeners", "PLAINTEXT://localhost:9092");
        m.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("Controller listener CONTROLLER")
                .hasMessageContaining("SSL");
        m.remove("listener.security.protocol.map");
        m.put("controller.listener.names", "");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("controller.listener.names")
                .hasMessageContaining("at least one value");
    }

    @Test
    void aControllerOnlyNodeIsAVoterWithOnlyControllerListeners() {
        Map<String, String> m = minimal();
        m.put("process.roles", "controller");
        m.put("listeners", "CONTROLLER://localhost:9093");
        m.put("controller.quorum.voters", "1@localhost:9093");
        ServerConfig c = ServerConfig.parse(m);
        assertThat(!c.isBroker() && c.isController()).isTrue();

        m.put("listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("listeners")
                .hasMessageContaining("PLAINTEXT is not");
        m.put("listeners", "CONTROLLER://localhost:9093");
        m.put("controller.quorum.voters", "2@localhost:9093");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("node.id=1 is not");
        m.put("controller.quorum.voters", "");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("controller-only node must list the voters");
    }

    @Test
    void retentionPrecedenceIsMsThenMinutesThenHours() {
        Map<String, String> m = minimal();
        m.put("log.retention.hours", "1");
        assertThat(ServerConfig.parse(m).retentionMs()).isEqualTo(3_600_000L);
        m.put("log.retention.minutes", "2");
        assertThat(ServerConfig.parse(m).retentionMs()).isEqualTo(120_000L);
        m.put("log.retention.ms", "5");
        assertThat(ServerConfig.parse(m).retentionMs()).isEqualTo(5L);
    }

    @Test
    void metadataDirDefaultsToSiblingOfFirstLogDir() {
        ServerConfig c = ServerConfig.parse(minimal());
        assertThat(c.metadataDir()).isEqualTo(Path.of("/tmp/x-metadata"));
    }

    @Test
    void sampleConfigParses() throws Exception {
        Path sample = Path.of(System.getProperty("user.dir")).resolveSibling("config").resolve("server.properties");
        ServerConfig c = ServerConfig.load(sample);
        assertThat(c.nodeId()).isEqualTo(1);
        assertThat(c.clientListener().port()).isEqualTo(9092);
    }

    @Test
    void theReplicationThrottleRatesAreRefusedInServerPropertiesAsTheyAreDynamicOnly() {
        Map<String, String> m = minimal();
        m.put("follower.replication.throttled.rate", "1000");
        assertThatThrownBy(() -> ServerConfig.parse(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("follower.replication.throttled.rate can only be set dynamically");
    }

    @Test
    void everySettingIsDocumented() throws Exception {
        Path doc = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("configuration.md");
        String text = Files.readString(doc);
        for (String name : ServerConfigDef.keys().keySet()) {
            assertThat(text).as("docs/configuration.md documents %s", name).contains("`" + name + "`");
        }
    }

    @Test
    void everyListenerMustBePlaintextUntilTlsAndSaslExist() {
        Map<String, String> m = minimal();
        m.put("listeners", "SSL://localhost:9092,CONTROLLER://localhost:9093");
        m.put("listener.security.protocol.map", "SSL:SSL,CONTROLLER:PLAINTEXT");
        assertThatThrownBy(() -> ServerConfig.parse(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Listener SSL").hasMessageContaining("not support");
        m.put("listeners", "CLIENTS://localhost:9092,CONTROLLER://localhost:9093");
        m.put("listener.security.protocol.map", "CLIENTS:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("Listener CLIENTS").hasMessageContaining("SASL_PLAINTEXT");
        m.put("listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093");
        m.put("listener.security.protocol.map", "PLAINTEXT:SSL,CONTROLLER:PLAINTEXT");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("Listener PLAINTEXT").hasMessageContaining("SSL");
        m.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("no security protocol defined for listener CONTROLLER");
        m.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:TLS");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("listener.security.protocol.map");
        // Kafka's sample map names protocols no listener uses: only the configured listeners count.
        m.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
        assertThat(ServerConfig.parse(m).clientListener().name()).isEqualTo("PLAINTEXT");
        m.remove("listener.security.protocol.map");
        m.put("listeners", "SSL://localhost:9092,CONTROLLER://localhost:9093");
        assertThatThrownBy(() -> ServerConfig.parse(m)).as("Kafka's default map: SSL is SSL").hasMessageContaining("Listener SSL");
    }

    @Test
    void securitySettingsRefuseTheStartAndKafkasOtherSettingsHaveNoEffect() {
        for (String name : new String[] {"ssl.keystore.location", "sasl.enabled.mechanisms", "authorizer.class.name", "super.users",
                "listener.name.external.ssl.truststore.location", "listener.name.clients.plain.sasl.jaas.config"}) {
            Map<String, String> m = minimal();
            m.put(name, "x");
            assertThatThrownBy(() -> ServerConfig.parse(m)).as(name).isInstanceOf(ConfigException.class).hasMessageContaining(name);
        }
        Map<String, String> m = minimal();
        m.put("security.inter.broker.protocol", "SSL");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("security.inter.broker.protocol");
        m.put("security.inter.broker.protocol", "PLAINTEXT");
        m.put("share.coordinator.threads", "1");
        m.put("listener.name.plaintext.max.connections", "10");
        m.put("num.io.threads", "8");
        assertThat(ServerConfig.parse(m).noEffectSettings()).containsExactly("listener.name.plaintext.max.connections",
                "num.io.threads", "security.inter.broker.protocol", "share.coordinator.threads");
    }

    @Test
    void aCompressionTypeThatNeedsRecompressionFailsTheStart() {
        Map<String, String> m = minimal();
        m.put("compression.type", "gzip");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("compression.type").hasMessageContaining("recompress");
        m.put("compression.type", "producer");
        assertThat(ServerConfig.parse(m).getString("compression.type")).isEqualTo("producer");
    }

    @Test
    void quotaWindowsAreKafkasAndACustomQuotaCallbackFailsTheStart() {
        Map<String, String> m = minimal();
        assertThat(ServerConfig.parse(m).getInt("quota.window.num")).isEqualTo(11);
        assertThat(ServerConfig.parse(m).getInt("quota.window.size.seconds")).isEqualTo(1);
        m.put("quota.window.num", "0");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("quota.window.num");
        m.put("quota.window.num", "11");
        m.put("client.quota.callback.class", "com.example.Callback");
        assertThatThrownBy(() -> ServerConfig.parse(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("client.quota.callback.class");
    }

    @Test
    void cleanupPolicyTakesKafkasValuesOnly() {
        Map<String, String> m = minimal();
        m.put("log.cleanup.policy", "compact,delete");
        assertThat(ServerConfig.parse(m).list("log.cleanup.policy")).containsExactly("compact", "delete");
        m.put("log.cleanup.policy", "compacted");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("log.cleanup.policy");
    }

    @Test
    void clusterShapesAreCheckedAsKafkaDoes() {
        Map<String, String> m = minimal();
        m.put("controller.quorum.voters", "1@localhost:9093,2@localhost:9094,3@localhost:9095");
        m.put("default.replication.factor", "3");
        m.put("offsets.topic.replication.factor", "3");
        assertThat(ServerConfig.parse(m).nodeId()).as("a three-voter combined cluster").isEqualTo(1);
        m.put("controller.quorum.voters", "2@localhost:9093");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("controller.quorum.voters")
                .hasMessageContaining("node.id=1 is not");
    }

    @Test
    void consumerGroupSettingsAreCheckedAsKafkaDoes() {
        Map<String, String> m = minimal();
        m.put("group.consumer.session.timeout.ms", "1000");
        assertThatThrownBy(() -> ServerConfig.parse(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("group.consumer.session.timeout.ms").hasMessageContaining("group.consumer.min.session.timeout.ms");
        m.put("group.consumer.min.session.timeout.ms", "1000");
        m.put("group.consumer.heartbeat.interval.ms", "5000");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("group.consumer.heartbeat.interval.ms")
                .hasMessageContaining("less than");
        m.put("group.consumer.heartbeat.interval.ms", "100");
        assertThatThrownBy(() -> ServerConfig.parse(m)).hasMessageContaining("group.consumer.min.heartbeat.interval.ms");
        m.put("group.consumer.min.heartbeat.interval.ms", "100");
        assertThat(ServerConfig.parse(m).getInt("group.consumer.session.timeout.ms")).isEqualTo(1000);

        Map<String, String> a = minimal();
        a.put("group.consumer.assignors", "uniform,sticky");
        assertThatThrownBy(() -> ServerConfig.parse(a)).hasMessageContaining("group.consumer.assignors").hasMessageContaining("sticky");
        a.put("group.consumer.assignors", "range");
        assertThat(ConsumerGroupConfig.from(ServerConfig.parse(a)).defaultAssignor())
                .isEqualTo("range");

        Map<String, String> p = minimal();
        assertThat(ConsumerGroupConfig.from(ServerConfig.parse(p)).migrationPolicy())
                .isEqualTo(MigrationPolicy.BIDIRECTIONAL);
        p.put("group.consumer.migration.policy", "sideways");
        assertThatThrownBy(() -> ServerConfig.parse(p)).hasMessageContaining("group.consumer.migration.policy")
                .hasMessageContaining("bidirectional");
        p.put("group.consumer.migration.policy", "Upgrade");
        assertThat(ConsumerGroupConfig.from(ServerConfig.parse(p)).migrationPolicy()).isEqualTo(MigrationPolicy.UPGRADE);
        p.put("group.coordinator.rebalance.protocols", "consumer");
        assertThatThrownBy(() -> ServerConfig.parse(p)).hasMessageContaining("group.coordinator.rebalance.protocols")
                .hasMessageContaining("classic");
        p.put("group.coordinator.rebalance.protocols", "classic");
        assertThat(ConsumerGroupConfig.from(ServerConfig.parse(p)).enabled()).isFalse();
        assertThat(ConsumerGroupConfig.from(ServerConfig.parse(minimal())).enabled()).isTrue();
    }

    @Test
    void theInternalTopicsCodecsAreKafkaCompressionTypeIds() {
        for (String name : new String[] {"offsets.topic.compression.codec", "share.coordinator.state.topic.compression.codec"}) {
            Map<String, String> m = minimal();
            m.put(name, "5");
            assertThatThrownBy(() -> ServerConfig.parse(m)).isInstanceOf(ConfigException.class).hasMessageContaining(name);
            m.put(name, "4");
            assertThat(ServerConfig.parse(m).getInt(name)).isEqualTo(4);
        }
        Map<String, String> m = minimal();
        m.put("offsets.topic.compression.codec", "3");
        m.put("share.coordinator.state.topic.compression.codec", "2");
        assertThat(GroupConfig.from(ServerConfig.parse(m)).offsetsTopicCompressionCodec()).isEqualTo(3);
        assertThat(ShareGroupConfig.from(ServerConfig.parse(m)).stateTopicCompressionCodec()).isEqualTo(2);
        assertThat(GroupConfig.from(ServerConfig.parse(minimal())).offsetsTopicCompressionCodec()).isZero();
    }
}
