package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.server.network.RawClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DeleteTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client quotas against a real broker process: set and removed with Kafka's kafka-configs, enforced
 * on kafka-clients producers and consumers, which report the throttle the broker sent back
 * ({@code produce-throttle-time-max}, {@code fetch-throttle-time-max}), and on admin clients'
 * topic creations and deletions (KIP-599). Quota samples of 1 s × 2
 * keep each throttle near a second. Every test removes the quotas it set.
 */
@Timeout(180)
class ClientQuotasProcessTest {
    private static final int RECORD_BYTES = 20_000;
    private static final int RECORDS = 4;
    private static final String RATE = "10240";

    private static BrokerProcess broker;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(Map.of("quota.window.num", "2", "quota.window.size.seconds", "1"));
        admin = Clients.admin(broker.bootstrap());
        admin.createTopics(List.of(new NewTopic("quota-data", 1, (short) 1))).all().get();
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

    private static KafkaProducer<byte[], byte[]> producer(String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(RECORD_BYTES + 1000));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** Sends {@code RECORDS} records of {@code RECORD_BYTES}, one at a time; returns the producer's largest throttle. */
    private static double produceAndGetMaxThrottleMs(String clientId) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(clientId)) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>("quota-data", new byte[RECORD_BYTES])).get();
            }
            return metric(p::metrics, "producer-metrics", "produce-throttle-time-max");
        }
    }

    /** Reads the first {@code RECORDS} records; returns the consumer's largest fetch throttle. */
    private static double consumeAndGetMaxThrottleMs(String clientId) {
        TopicPartition tp = new TopicPartition("quota-data", 0);
        try (KafkaConsumer<byte[], byte[]> c = consumer(clientId)) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            int[] read = {0};
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                read[0] += c.poll(Duration.ofMillis(200)).count();
                return read[0] >= RECORDS;
            });
            return metric(c::metrics, "consumer-fetch-manager-metrics", "fetch-throttle-time-max");
        }
    }

    private static double metric(Supplier<Map<MetricName, ? extends Metric>> metrics, String group, String name) {
        return metrics.get().entrySet().stream()
                .filter(e -> e.getKey().group().equals(group) && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + group + "/" + name));
    }

    private static KafkaCli.Result configs(String... args) throws Exception {
        KafkaCli.Result r = KafkaCli.configs(broker.bootstrap(), args);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r;
    }

    @Test
    void producerByteRateThrottlesThatClientIdOnlyUntilRemoved() throws Exception {
        configs("--alter", "--entity-type", "clients", "--entity-name", "app", "--add-config",
                "producer_byte_rate=" + RATE);
        try {
            assertThat(configs("--describe", "--entity-type", "clients").output())
                    .contains("'app'").contains("producer_byte_rate=" + RATE);
            double produceThrottledBefore = MetricsScrape.sum(MetricsScrape.text(broker),
                    "sluice_quota_throttle_seconds_total", "quota_type=\"produce\"");
            assertThat(produceAndGetMaxThrottleMs("app")).as("throttle of the quota's client id").isGreaterThan(0);
            assertThat(MetricsScrape.sum(MetricsScrape.text(broker), "sluice_quota_throttle_seconds_total",
                    "quota_type=\"produce\"")).as("throttled time on the metrics endpoint").isGreaterThan(produceThrottledBefore);
            assertThat(produceAndGetMaxThrottleMs("not-app")).as("throttle of another client id").isNotPositive();
        } finally {
            configs("--alter", "--entity-type", "clients", "--entity-name", "app", "--delete-config",
                    "producer_byte_rate");
        }
        assertThat(configs("--describe", "--entity-type", "clients").output()).doesNotContain("producer_byte_rate");
        assertThat(produceAndGetMaxThrottleMs("app")).as("throttle once the quota is gone").isNotPositive();
    }

    @Test
    void consumerByteRateThrottlesFetchesOfThatClientIdOnly() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer("filler")) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>("quota-data", new byte[RECORD_BYTES])).get();
            }
        }
        configs("--alter", "--entity-type", "clients", "--entity-name", "reader", "--add-config",
                "consumer_byte_rate=" + RATE);
        try {
            assertThat(configs("--describe", "--entity-type", "clients", "--entity-name", "reader").output())
                    .contains("consumer_byte_rate=" + RATE);
            assertThat(consumeAndGetMaxThrottleMs("reader")).as("throttle of the quota's client id").isGreaterThan(0);
            assertThat(consumeAndGetMaxThrottleMs("not-reader")).as("throttle of another client id").isNotPositive();
        } finally {
            configs("--alter", "--entity-type", "clients", "--entity-name", "reader", "--delete-config",
                    "consumer_byte_rate");
        }
        assertThat(consumeAndGetMaxThrottleMs("reader")).as("throttle once the quota is gone").isNotPositive();
    }

    @Test
    void userQuotasAreForTheAnonymousPrincipalAndDescribeFilters() throws Exception {
        configs("--alter", "--entity-type", "users", "--entity-default", "--add-config", "request_percentage=500");
        try {
            assertThat(configs("--describe", "--entity-type", "users").output())
                    .contains("request_percentage=500");
            configs("--alter", "--entity-type", "users", "--entity-name", "ANONYMOUS", "--add-config",
                    "consumer_byte_rate=1000000");
            assertThat(configs("--describe", "--entity-type", "users", "--entity-name", "ANONYMOUS").output())
                    .contains("'ANONYMOUS'").contains("consumer_byte_rate=1000000");
            configs("--alter", "--entity-type", "users", "--entity-name", "ANONYMOUS", "--delete-config",
                    "consumer_byte_rate");
            var strictClients = admin.describeClientQuotas(ClientQuotaFilter.containsOnly(
                    List.of(ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.CLIENT_ID)))).entities().get();
            assertThat(strictClients).isEmpty();
            var defaultUser = admin.describeClientQuotas(ClientQuotaFilter.contains(
                    List.of(ClientQuotaFilterComponent.ofDefaultEntity(ClientQuotaEntity.USER)))).entities().get();
            assertThat(defaultUser).hasSize(1);
            assertThat(defaultUser.values().iterator().next()).containsEntry("request_percentage", 500.0);
        } finally {
            configs("--alter", "--entity-type", "users", "--entity-default", "--delete-config", "request_percentage");
        }
        assertThat(admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get()).isEmpty();
    }

    @Test
    void badQuotasAreRefusedWithKafkasErrorAndNothingIsStored() throws Exception {
        ClientQuotaEntity app = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "app"));
        assertRefused(app, "no_such_quota", 5.0, "Invalid configuration key no_such_quota");
        assertRefused(app, "producer_byte_rate", 0.0, "must be greater than 0");
        assertRefused(app, "consumer_byte_rate", -5.0, "must be greater than 0");
        assertRefused(app, "controller_mutation_rate", -1.0, "must be greater than 0");
        assertRefused(new ClientQuotaEntity(Map.of(ClientQuotaEntity.IP, "10.0.0.1")), "connection_creation_rate", 10.0,
                "does not enforce connection quotas");
        assertRefused(new ClientQuotaEntity(Map.of("group", "g")), "producer_byte_rate", 10.0,
                "Unhandled client quota entity type: group");
        assertThat(admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get()).isEmpty();
        assertThatThrownBy(() -> admin.describeClientQuotas(ClientQuotaFilter.contains(
                List.of(ClientQuotaFilterComponent.ofEntityType("group")))).entities().get())
                .hasCauseInstanceOf(UnsupportedVersionException.class);
    }

    @Test
    void controllerMutationRateRefusesTopicsOverTheQuotaOfThatClientId() throws Exception {
        configs("--alter", "--entity-type", "clients", "--entity-name", "creator", "--add-config",
                "controller_mutation_rate=1");
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "creator");
        try (Admin creator = Admin.create(p)) {
            CreateTopicsOptions noRetry = new CreateTopicsOptions().retryOnQuotaViolation(false);
            // The bucket holds 1/s × 11 samples × 1 s = 11 partitions; strict (v6+) checks before charging.
            creator.createTopics(List.of(new NewTopic("mutation-1", 10, (short) 1)), noRetry).all().get();
            creator.createTopics(List.of(new NewTopic("mutation-2", 10, (short) 1)), noRetry).all().get();
            assertThatThrownBy(() -> creator.createTopics(List.of(new NewTopic("mutation-3", 1, (short) 1)), noRetry)
                    .all().get()).cause().isInstanceOf(ThrottlingQuotaExceededException.class);
            // The same client id on a new connection (the first one waits out its throttle): the bucket
            // is still below zero, so a deletion is refused too.
            try (Admin again = Admin.create(p)) {
                assertThatThrownBy(() -> again.deleteTopics(List.of("mutation-1"),
                        new DeleteTopicsOptions().retryOnQuotaViolation(false)).all().get())
                        .cause().isInstanceOf(ThrottlingQuotaExceededException.class);
            }
            assertThat(admin.listTopics().names().get()).contains("mutation-1", "mutation-2")
                    .doesNotContain("mutation-3");
            // Another client id has no quota.
            admin.createTopics(List.of(new NewTopic("mutation-4", 10, (short) 1))).all().get();
        } finally {
            configs("--alter", "--entity-type", "clients", "--entity-name", "creator", "--delete-config",
                    "controller_mutation_rate");
        }
        try (Admin creator = Admin.create(p)) {
            creator.deleteTopics(List.of("mutation-1", "mutation-2", "mutation-4"),
                    new DeleteTopicsOptions().retryOnQuotaViolation(false)).all().get();
        }
    }

    @Test
    void createTopicsBeforeV6IsPermissiveAndThrottledAfterwards() throws Exception {
        configs("--alter", "--entity-type", "clients", "--entity-name", "raw-client", "--add-config",
                "controller_mutation_rate=1");
        try {
            CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(30_000);
            for (String name : List.of("permissive-1", "permissive-2", "permissive-3")) {
                req.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(10)
                        .setReplicationFactor((short) 1));
            }
            try (RawClient c = new RawClient(new InetSocketAddress("localhost", broker.clientPort()))) {
                c.send(ApiKeys.CREATE_TOPICS.id, (short) 5, 1, req);
                CreateTopicsResponseData resp = c.read(ApiKeys.CREATE_TOPICS.id, (short) 5, CreateTopicsResponseData.class);
                assertThat(resp.topics()).extracting(CreateTopicsResponseData.CreatableTopicResult::errorCode)
                        .as("v5: every topic created over the 11-partition bucket").containsOnly((short) 0);
                // 30 partitions from a bucket of 11 at 1/s: 19 s owed.
                assertThat(resp.throttleTimeMs()).isGreaterThan(10_000);
            }
            CreateTopicsRequestData strict = new CreateTopicsRequestData().setTimeoutMs(30_000);
            strict.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("strict-1").setNumPartitions(1)
                    .setReplicationFactor((short) 1));
            try (RawClient c = new RawClient(new InetSocketAddress("localhost", broker.clientPort()))) {
                c.send(ApiKeys.CREATE_TOPICS.id, (short) 6, 2, strict);
                CreateTopicsResponseData resp = c.read(ApiKeys.CREATE_TOPICS.id, (short) 6, CreateTopicsResponseData.class);
                assertThat(resp.topics().iterator().next().errorCode()).as("v6 is strict")
                        .isEqualTo(Errors.THROTTLING_QUOTA_EXCEEDED.code());
                assertThat(resp.throttleTimeMs()).isPositive();
            }
        } finally {
            configs("--alter", "--entity-type", "clients", "--entity-name", "raw-client", "--delete-config",
                    "controller_mutation_rate");
        }
        admin.deleteTopics(List.of("permissive-1", "permissive-2", "permissive-3")).all().get();
    }

    private static void assertRefused(ClientQuotaEntity entity, String key, double value, String message) {
        ClientQuotaAlteration alteration = new ClientQuotaAlteration(entity,
                List.of(new ClientQuotaAlteration.Op(key, value)));
        assertThatThrownBy(() -> admin.alterClientQuotas(List.of(alteration)).all().get())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InvalidRequestException.class).hasMessageContaining(message);
    }
}
