package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.server.network.RawClient;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-record validation (Kafka's LogValidator for v2) and retention by cleanup.policy, against one
 * broker process with the Java client and raw batches: each case fails on a broker that checks
 * batches by header and CRC only, or deletes compacted topics by time. Retention runs every 200 ms
 * here; a topic of truly old records is the signal that a pass ran.
 */
@Tag("slow")
@Timeout(180)
class RecordValidationTest {

    private static final long DAY_MS = 24 * 3_600_000L;
    private static BrokerProcess broker;
    private static Admin admin;
    private static InetSocketAddress addr;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(Map.of("log.retention.check.interval.ms", "200"));
        addr = new InetSocketAddress("localhost", broker.clientPort());
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (admin != null) {
                admin.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static void createTopic(String name, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs))).all().get();
    }

    private static KafkaProducer<byte[], byte[]> producer(String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        // Everything sent before flush() goes in one batch: the cases are about records inside one.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "60000");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "1048576");
        p.put(ProducerConfig.RETRIES_CONFIG, "0");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Sends the records as one batch; the futures' outcomes. */
    private static List<Future<RecordMetadata>> sendOneBatch(String compression, List<ProducerRecord<byte[], byte[]>> records) {
        List<Future<RecordMetadata>> out = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = producer(compression)) {
            records.forEach(r -> out.add(p.send(r)));
            p.flush();
        }
        return out;
    }

    private static long logStartOffset(String topic) throws Exception {
        return admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.earliest())).all().get()
                .get(new TopicPartition(topic, 0)).offset();
    }

    private static ListOffsetsResult.ListOffsetsResultInfo listOffsets(String topic, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(new TopicPartition(topic, 0), spec)).all().get().get(new TopicPartition(topic, 0));
    }

    private static ProduceResponseData.PartitionProduceResponse produceRaw(String topic, ByteBuffer batch) throws Exception {
        try (RawClient c = new RawClient(addr)) {
            return Raw.produce(c, topic, 0, batch);
        }
    }

    /**
     * Produces records {@code 2 * retention} old to {@code signalTopic} (retention {@code retentionMs})
     * and waits until a retention pass deleted them: that pass ran after everything produced before.
     */
    private static void awaitRetentionPass(String signalTopic, long retentionMs) throws Exception {
        long old = System.currentTimeMillis() - 2 * retentionMs;
        long before = logStartOffset(signalTopic);
        ByteBuffer batch = RecordBatchBuilder.create(0, old).add("k".getBytes(), "old".getBytes(), old).build();
        assertThat(produceRaw(signalTopic, batch).errorCode()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> logStartOffset(signalTopic) > before);
    }

    // ------------------------------------------------------------------ item 3: retention by cleanup.policy

    @Test
    void aCompactedTopicIsNotDeletedByTimeRetention() throws Exception {
        createTopic("compact-kept", Map.of("cleanup.policy", "compact", "retention.ms", "1000"));
        createTopic("compact-kept-signal", Map.of("retention.ms", "1000"));
        // A minute old: past retention.ms = 1 s already when the first pass sees them.
        long old = System.currentTimeMillis() - 60_000;
        List<ProducerRecord<byte[], byte[]>> records = List.of(
                new ProducerRecord<>("compact-kept", 0, old, "k1".getBytes(), "v1".getBytes()),
                new ProducerRecord<>("compact-kept", 0, old, "k2".getBytes(), "v2".getBytes()));
        for (Future<RecordMetadata> f : sendOneBatch("none", records)) {
            f.get();
        }
        awaitRetentionPass("compact-kept-signal", 1000);
        assertThat(logStartOffset("compact-kept")).isZero();
        assertThat(Clients.readAll(broker.bootstrap(), List.of(new TopicPartition("compact-kept", 0)), 2,
                Duration.ofSeconds(30))).hasSize(2);
        assertThat(broker.log()).contains("Topic compact-kept has cleanup.policy=compact");
    }
}
