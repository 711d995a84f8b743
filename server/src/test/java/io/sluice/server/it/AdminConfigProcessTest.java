package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topic creation, dynamic broker configs and DescribeConfigs against one real broker process, with
 * kafka-clients' AdminClient and Kafka's own CLI tools (issue 11, items 2, 4, 10, 11a, 11c, 12).
 * Tests that set dynamic broker configs delete them again, so the tests do not depend on order.
 */
@Timeout(180)
class AdminConfigProcessTest {

    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");

    private static BrokerProcess broker;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        // A fast retention check so that an applied retention shows within the test.
        broker = BrokerProcess.start(Map.of("log.retention.check.interval.ms", "200"));
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---- item 4: the quorum binds its listener's host ------------------------------------------

    @Test
    void theMetadataQuorumListensOnTheConfiguredHostOnly() throws Exception {
        try (Socket s = new Socket("localhost", broker.quorumPort())) {
            assertThat(s.isConnected()).as("quorum port reachable on localhost").isTrue();
        }
        List<String> listening = listeningAddresses(broker.quorumPort());
        assertThat(listening).as("sockets listening on the quorum port").isNotEmpty()
                .allSatisfy(a -> assertThat(a).as("a loopback address, not every interface")
                        .isIn("0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"));
    }

    /**
     * Local addresses (kernel hex) of the TCP sockets in LISTEN state on {@code port}, IPv4 and IPv6:
     * 127.0.0.1, ::ffff:127.0.0.1 and ::1 are loopback; all zeros is every interface.
     */
    private static List<String> listeningAddresses(int port) throws Exception {
        List<String> out = new ArrayList<>();
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p); // read once: the table changes between reads
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                if (local[1].equals(hexPort) && f[3].equals("0A")) {
                    out.add(local[0]);
                }
            }
        }
        return out;
    }

    // ---- item 2 and 11a: replication factor and explicit assignments ---------------------------

    @Test
    void aReplicationFactorAboveTheRegisteredBrokersIsRefusedSayingWhy() throws Exception {
        KafkaCli.Result r = KafkaCli.topics(broker.bootstrap(), "--create", "--topic", "rf2", "--partitions", "1",
                "--replication-factor", "2");
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("replication factor of 2 cannot be reached because only 1 broker(s) are registered");
        assertThat(admin.listTopics().names().get()).doesNotContain("rf2");
    }

    @Test
    void anExplicitAssignmentOfOneReplicaCreatesTheTopicAndItsNewPartitions() throws Exception {
        KafkaCli.Result r = KafkaCli.topics(broker.bootstrap(), "--create", "--topic", "assigned", "--replica-assignment", "1,1");
        assertThat(r.exitCode()).as(r.output()).isZero();
        var description = admin.describeTopics(List.of("assigned")).allTopicNames().get().get("assigned");
        assertThat(description.partitions()).hasSize(2).allSatisfy(p -> assertThat(p.replicas()).hasSize(1));

        admin.createPartitions(Map.of("assigned", NewPartitions.increaseTo(3, List.of(List.of(1))))).all().get();
        assertThatThrownBy(() -> admin.createPartitions(Map.of("assigned", NewPartitions.increaseTo(4, List.of(List.of(1, 2)))))
                .all().get()).hasCauseInstanceOf(InvalidReplicaAssignmentException.class);
        assertThat(admin.describeTopics(List.of("assigned")).allTopicNames().get().get("assigned").partitions()).hasSize(3);
    }

    @Test
    void anAssignmentWhosePartitionIndexesAreNotZeroToNIsRefused() throws Exception {
        for (int index : new int[] {1_000_000_000, -1, 1}) {
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("gap", Map.of(index, List.of(1))))).all().get())
                    .as("partition index %d", index).hasCauseInstanceOf(InvalidReplicaAssignmentException.class);
        }
        assertThat(admin.listTopics().names().get()).doesNotContain("gap");
    }

    // ---- item 10: dynamic broker configs are applied, or refused -------------------------------

    @Test
    void aDynamicMessageMaxBytesDefaultIsInForce() throws Exception {
        admin.createTopics(List.of(new NewTopic("limited", 1, (short) 1))).all().get();
        KafkaCli.Result r = KafkaCli.configs(broker.bootstrap(), "--entity-type", "brokers", "--entity-default",
                "--alter", "--add-config", "message.max.bytes=2000");
        assertThat(r.exitCode()).as(r.output()).isZero();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "1", false, "none")) {
            assertThatThrownBy(() -> p.send(new ProducerRecord<>("limited", new byte[3000])).get())
                    .hasCauseInstanceOf(RecordTooLargeException.class);
            assertThat(p.send(new ProducerRecord<>("limited", new byte[500])).get().offset()).isZero();
            // This broker's own dynamic config wins over the cluster default (Kafka's precedence).
            r = KafkaCli.configs(broker.bootstrap(), "--entity-type", "brokers", "--entity-name", "1",
                    "--alter", "--add-config", "message.max.bytes=300");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThatThrownBy(() -> p.send(new ProducerRecord<>("limited", new byte[500])).get())
                    .hasCauseInstanceOf(RecordTooLargeException.class);
        } finally {
            deleteClusterDefault("message.max.bytes");
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, "1"), List.of(
                    new AlterConfigOp(new ConfigEntry("message.max.bytes", null), AlterConfigOp.OpType.DELETE)))).all().get();
        }
    }

    @Test
    void aDynamicRetentionDefaultIsInForce() throws Exception {
        admin.createTopics(List.of(new NewTopic("retained", 1, (short) 1))).all().get();
        TopicPartition tp = new TopicPartition("retained", 0);
        long hourAgo = System.currentTimeMillis() - 3_600_000L;
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "1", false, "none")) {
            p.send(new ProducerRecord<>("retained", 0, hourAgo, null, "old".getBytes())).get();
            // log.roll.ms=1: the next append rolls, closing the segment of the hour-old record.
            KafkaCli.Result r = KafkaCli.configs(broker.bootstrap(), "--entity-type", "brokers", "--entity-default",
                    "--alter", "--add-config", "log.retention.ms=3000,log.roll.ms=1");
            assertThat(r.exitCode()).as(r.output()).isZero();
            p.send(new ProducerRecord<>("retained", 0, System.currentTimeMillis(), null, "new".getBytes())).get();
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset() > 0);
            ConfigEntry retention = topicConfig("retained", "retention.ms");
            assertThat(retention.value()).isEqualTo("3000");
            assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        } finally {
            deleteClusterDefault("log.retention.ms", "log.roll.ms");
        }
    }

    @Test
    void dynamicLogCleanerThreadsAreAppliedWithoutARestartWithinKafkasLimitsAndKeptAcrossOne() throws Exception {
        assertThat(cleanerThreads()).isEqualTo(1.0);
        setCleanerThreads("2");
        try {
            awaitCleanerThreads(2);
            // Kafka's LogCleaner.validateReconfiguration: at most double the running thread count.
            assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(BROKER_1, List.of(new AlterConfigOp(
                    new ConfigEntry("log.cleaner.threads", "5"), AlterConfigOp.OpType.SET)))).all().get())
                    .cause().isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("log.cleaner.threads").hasMessageContaining("double");
            ConfigEntry threads = admin.describeConfigs(List.of(BROKER_1)).all().get().get(BROKER_1)
                    .get("log.cleaner.threads");
            assertThat(threads.value()).isEqualTo("2");
            assertThat(threads.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
            setCleanerThreads("4");
            awaitCleanerThreads(4);
            // A restart starts with server.properties' 1 thread, then applies the stored 4 unchecked.
            broker.restart();
            awaitCleanerThreads(4);
            // Deleting it would go back to 1: less than half of 4, refused as Kafka refuses it.
            assertThatThrownBy(() -> deleteCleanerThreads()).cause().isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("less than half");
            setCleanerThreads("2");
            awaitCleanerThreads(2);
        } finally {
            deleteCleanerThreads();
        }
        awaitCleanerThreads(1);
    }

    @Test
    void dynamicLogCleanerTopicDefaultsAreInForceUnderTopicOverrides() throws Exception {
        admin.createTopics(List.of(new NewTopic("cleaner-defaults", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact", "min.cleanable.dirty.ratio", "0.9")))).all().get();
        KafkaCli.Result r = KafkaCli.configs(broker.bootstrap(), "--entity-type", "brokers", "--entity-default",
                "--alter", "--add-config", "log.cleaner.delete.retention.ms=1000,log.cleaner.min.cleanable.ratio=0.1");
        assertThat(r.exitCode()).as(r.output()).isZero();
        try {
            ConfigEntry deleteRetention = topicConfig("cleaner-defaults", "delete.retention.ms");
            assertThat(deleteRetention.value()).isEqualTo("1000");
            assertThat(deleteRetention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            assertThat(topicConfig("cleaner-defaults", "min.cleanable.dirty.ratio").value())
                    .as("the topic's own config wins").isEqualTo("0.9");
        } finally {
            deleteClusterDefault("log.cleaner.delete.retention.ms", "log.cleaner.min.cleanable.ratio");
        }
    }

    private static final ConfigResource BROKER_1 = new ConfigResource(ConfigResource.Type.BROKER, "1");

    private static double cleanerThreads() throws Exception {
        return MetricsScrape.value(MetricsScrape.text(broker), "sluice_log_cleaner_threads");
    }

    private static void awaitCleanerThreads(int n) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> cleanerThreads() == n);
    }

    private static void setCleanerThreads(String n) throws Exception {
        KafkaCli.Result r = KafkaCli.configs(broker.bootstrap(), "--entity-type", "brokers", "--entity-name", "1",
                "--alter", "--add-config", "log.cleaner.threads=" + n);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private static void deleteCleanerThreads() throws Exception {
        admin.incrementalAlterConfigs(Map.of(BROKER_1, List.of(
                new AlterConfigOp(new ConfigEntry("log.cleaner.threads", null), AlterConfigOp.OpType.DELETE)))).all().get();
    }

    @Test
    void aBrokerConfigSluiceDoesNotApplyIsRefusedAndNotDescribed() throws Exception {
        Throwable e = alterClusterDefault("num.io.threads", "4");
        assertThat(e).isInstanceOf(InvalidRequestException.class).hasMessageContaining("num.io.threads");
        ConfigEntry described = brokerDefaults().get("num.io.threads");
        assertThat(described == null ? null : described.source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    }

    @Test
    void aSecurityBrokerConfigIsRefusedNamingIt() throws Exception {
        Throwable e = alterClusterDefault("sasl.kerberos.min.time.before.relogin", "60000");
        assertThat(e).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("sasl.kerberos.min.time.before.relogin").hasMessageContaining("SASL");
    }

    @Test
    void aTopicCompressionTypeThatNeedsRecompressionIsRefusedNamingIt() throws Exception {
        // Sluice stores batches as produced: accepting compression.type=gzip would store them otherwise.
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("recompressed", 1, (short) 1)
                .configs(Map.of("compression.type", "gzip")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining("compression.type");
        admin.createTopics(List.of(new NewTopic("as-produced", 1, (short) 1)
                .configs(Map.of("compression.type", "producer")))).all().get();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "as-produced");
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                new ConfigEntry("compression.type", "zstd"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining("recompress");
        assertThat(topicConfig("as-produced", "compression.type").value()).isEqualTo("producer");
    }

    @Test
    void compactedTopicsAreCreatedAndAlteredAsInKafka() throws Exception {
        // Kafka Streams changelogs and Connect's internal topics are compacted: they must be
        // creatable. Retention never deletes them by time (RecordValidationTest); the cleaner compacts
        // them (CompactionProcessTest).
        admin.createTopics(List.of(new NewTopic("compacted", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get();
        assertThat(topicConfig("compacted", "cleanup.policy").value()).isEqualTo("compact");
        admin.createTopics(List.of(new NewTopic("to-compact", 1, (short) 1))).all().get();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "to-compact");
        admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                new ConfigEntry("cleanup.policy", "compact,delete"), AlterConfigOp.OpType.SET)))).all().get();
        assertThat(topicConfig("to-compact", "cleanup.policy").value()).isEqualTo("compact,delete");
    }

    @Test
    void aMinCompactionLagAboveTheMaxIsRefusedAsInKafka() throws Exception {
        String conflict = "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)";
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("lags", 1, (short) 1).configs(Map.of(
                "min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining(conflict);
        admin.createTopics(List.of(new NewTopic("lags", 1, (short) 1).configs(Map.of("min.compaction.lag.ms", "10"))))
                .all().get();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "lags");
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(
                new ConfigEntry("max.compaction.lag.ms", "5"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining(conflict);
        assertThat(topicConfig("lags", "max.compaction.lag.ms").value()).isEqualTo("9223372036854775807");
        ConfigEntry ratio = admin.describeConfigs(List.of(topic), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get().get(topic).get("min.cleanable.dirty.ratio");
        assertThat(ratio.value()).isEqualTo("0.5");
        assertThat(ratio.synonyms()).extracting(ConfigEntry.ConfigSynonym::name)
                .containsExactly("log.cleaner.min.cleanable.ratio");
    }

    // ---- item 12: synonyms ---------------------------------------------------------------------

    @Test
    void describeConfigsListsSynonymsWhenAskedFor() throws Exception {
        admin.createTopics(List.of(new NewTopic("synonyms", 1, (short) 1).configs(Map.of("retention.ms", "1000")))).all().get();
        ConfigEntry retention = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "synonyms")),
                new DescribeConfigsOptions().includeSynonyms(true)).all().get().values().iterator().next().get("retention.ms");
        List<ConfigEntry.ConfigSynonym> synonyms = retention.synonyms();
        assertThat(synonyms).isNotEmpty();
        assertThat(synonyms.get(0).name()).isEqualTo("retention.ms");
        assertThat(synonyms.get(0).value()).isEqualTo("1000");
        assertThat(synonyms.get(0).source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        ConfigEntry.ConfigSynonym last = synonyms.get(synonyms.size() - 1);
        assertThat(List.of(last.name(), last.value(), last.source().name()))
                .containsExactly("log.retention.hours", "168", "DEFAULT_CONFIG");

        ConfigEntry segmentMs = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "synonyms")),
                new DescribeConfigsOptions().includeSynonyms(true)).all().get().values().iterator().next().get("segment.ms");
        assertThat(segmentMs.value()).isEqualTo("604800000");
        assertThat(segmentMs.synonyms()).extracting(ConfigEntry.ConfigSynonym::name).endsWith("log.roll.hours");
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static ConfigEntry topicConfig(String topic, String name) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r).get(name);
    }

    private static Config brokerDefaults() throws Exception {
        return admin.describeConfigs(List.of(CLUSTER_DEFAULT)).all().get().get(CLUSTER_DEFAULT);
    }

    private static Throwable alterClusterDefault(String name, String value) throws Exception {
        try {
            admin.incrementalAlterConfigs(Map.of(CLUSTER_DEFAULT,
                    List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)))).all().get();
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the alter of " + name + " was accepted");
    }

    private static void deleteClusterDefault(String... names) throws Exception {
        List<AlterConfigOp> ops = new ArrayList<>();
        for (String n : names) {
            ops.add(new AlterConfigOp(new ConfigEntry(n, null), AlterConfigOp.OpType.DELETE));
        }
        admin.incrementalAlterConfigs(Map.of(CLUSTER_DEFAULT, ops)).all().get();
    }
}
