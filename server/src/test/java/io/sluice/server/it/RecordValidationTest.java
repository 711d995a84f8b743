package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.server.network.RawClient;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
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
    }

    // ------------------------------------------------------------------ item 5: the true max timestamp

    @Test
    void aBatchWhoseHeaderSaysMaxTimestampZeroSurvivesRetentionAndIsStoredWithTheTrueOne() throws Exception {
        createTopic("header-zero", Map.of("retention.ms", Long.toString(DAY_MS)));
        createTopic("header-zero-signal", Map.of("retention.ms", Long.toString(DAY_MS)));
        long now = System.currentTimeMillis();
        // What librdkafka sends through some of its APIs: records at current times, header max timestamp 0.
        ByteBuffer batch = RecordBatchBuilder.create(0, now - 30).add(null, "a".getBytes(), now - 30)
                .add(null, "b".getBytes(), now - 10).add(null, "c".getBytes(), now - 20).headerMaxTimestamp(0).build();
        assertThat(new RecordBatchHeader().wrap(batch, 0).maxTimestamp()).isZero();
        assertThat(produceRaw("header-zero", batch).errorCode()).isZero();
        awaitRetentionPass("header-zero-signal", DAY_MS);
        assertThat(logStartOffset("header-zero")).isZero();
        ListOffsetsResult.ListOffsetsResultInfo max = listOffsets("header-zero", OffsetSpec.maxTimestamp());
        assertThat(max.timestamp()).isEqualTo(now - 10);
        assertThat(max.offset()).isEqualTo(1);
        assertThat(listOffsets("header-zero", OffsetSpec.forTimestamp(now - 15)).offset()).isEqualTo(1);
        var read = Clients.readAll(broker.bootstrap(), List.of(new TopicPartition("header-zero", 0)), 3,
                Duration.ofSeconds(30));
        assertThat(read).extracting(r -> r.timestamp()).containsExactly(now - 30, now - 10, now - 20);
    }

    @ParameterizedTest(name = "compression {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void listOffsetsByTimestampFindsTheRecordInsideABatch(String compression) throws Exception {
        String topic = "by-time-" + compression;
        createTopic(topic, Map.of());
        long t = System.currentTimeMillis() - 60_000;
        long[] timestamps = {t, t + 10, t + 40, t + 20, t + 30};
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (long ts : timestamps) {
            records.add(new ProducerRecord<>(topic, 0, ts, null, ("at " + ts).getBytes()));
        }
        List<Future<RecordMetadata>> sent = sendOneBatch(compression, records);
        for (Future<RecordMetadata> f : sent) {
            f.get();
        }
        ListOffsetsResult.ListOffsetsResultInfo after = listOffsets(topic, OffsetSpec.forTimestamp(t + 5));
        assertThat(after.offset()).isEqualTo(1);
        assertThat(after.timestamp()).isEqualTo(t + 10);
        assertThat(listOffsets(topic, OffsetSpec.forTimestamp(t + 35)).offset()).isEqualTo(2);
        ListOffsetsResult.ListOffsetsResultInfo max = listOffsets(topic, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(2);
        assertThat(max.timestamp()).isEqualTo(t + 40);
        assertThat(listOffsets(topic, OffsetSpec.forTimestamp(t + 41)).offset()).isEqualTo(-1);
    }

    @ParameterizedTest(name = "compression {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void aCompactedTopicRefusesARecordWithoutAKey(String compression) throws Exception {
        String topic = "compact-keys-" + compression;
        createTopic(topic, Map.of("cleanup.policy", "compact"));
        List<Future<RecordMetadata>> sent = sendOneBatch(compression, List.of(
                new ProducerRecord<>(topic, "k".getBytes(), "v".getBytes()),
                new ProducerRecord<>(topic, null, "keyless".getBytes())));
        ExecutionException e = assertThrows(ExecutionException.class, () -> sent.get(1).get());
        assertThat(e.getCause()).isInstanceOf(InvalidRecordException.class);
        assertThat(e.getCause().getMessage()).contains("without a key");
        assertThat(listOffsets(topic, OffsetSpec.latest()).offset()).isZero();
        // Keyed records go in.
        assertThat(sendOneBatch(compression, List.of(new ProducerRecord<>(topic, "k".getBytes(), "v".getBytes())))
                .get(0).get().offset()).isZero();
    }

    @Test
    void timestampsOutsideTheTopicsBoundsAreInvalidTimestamp() throws Exception {
        createTopic("ts-bounds", Map.of("message.timestamp.before.max.ms", "3600000"));
        long now = System.currentTimeMillis();
        for (long ts : new long[] {now + 2 * 3_600_000L, now - 2 * 3_600_000L}) {
            // The batch's first record is fine; only a later one is out of bounds (a header check sees the first).
            List<Future<RecordMetadata>> sent = sendOneBatch("lz4", List.of(
                    new ProducerRecord<>("ts-bounds", 0, now, null, "ok".getBytes()),
                    new ProducerRecord<>("ts-bounds", 0, now, null, "ok".getBytes()),
                    new ProducerRecord<>("ts-bounds", 0, ts, null, "bad".getBytes()),
                    new ProducerRecord<>("ts-bounds", 0, now, null, "ok".getBytes())));
            ExecutionException e = assertThrows(ExecutionException.class, () -> sent.get(2).get());
            assertThat(e.getCause()).isInstanceOf(InvalidTimestampException.class);
        }
        assertThat(listOffsets("ts-bounds", OffsetSpec.latest()).offset()).isZero();
    }

    @Test
    void logAppendTimeTopicsStillStampTheBrokerTime() throws Exception {
        createTopic("append-time", Map.of("message.timestamp.type", "LogAppendTime"));
        long before = System.currentTimeMillis();
        RecordMetadata m = sendOneBatch("gzip", List.of(
                new ProducerRecord<>("append-time", 0, 1000L, null, "a".getBytes()),
                new ProducerRecord<>("append-time", 0, 2000L, null, "b".getBytes()))).get(1).get();
        assertThat(m.timestamp()).isGreaterThanOrEqualTo(before);
        var read = Clients.readAll(broker.bootstrap(), List.of(new TopicPartition("append-time", 0)), 2,
                Duration.ofSeconds(30));
        assertThat(read).allSatisfy(r -> {
            assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(r.timestamp()).isEqualTo(m.timestamp());
        });
        assertThat(listOffsets("append-time", OffsetSpec.maxTimestamp()).offset()).isZero();
    }

    // ------------------------------------------------------------------ librdkafka (kcat) batches

    @ParameterizedTest(name = "kcat -z {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void librdkafkaBatchesAreValidatedRecordByRecord(String codec) throws Exception {
        assumeTrue(Tools.kcatAvailable(), "kcat is not installed (Debian package kcat): skipping");
        String topic = "kcat-compact-" + codec;
        createTopic(topic, Map.of("cleanup.policy", "compact"));
        long before = System.currentTimeMillis();
        Tools.Result keyed = Tools.kcat(broker.bootstrap(), "k1:v1\nk2:v2\nk3:v3\n", "-P", "-t", topic, "-p", "0", "-K:", "-z", codec);
        assertThat(keyed.exitCode()).as(keyed.output()).isZero();
        ListOffsetsResult.ListOffsetsResultInfo max = listOffsets(topic, OffsetSpec.maxTimestamp());
        assertThat(max.timestamp()).isGreaterThanOrEqualTo(before - 1000).isLessThanOrEqualTo(System.currentTimeMillis());
        Tools.Result keyless = Tools.kcat(broker.bootstrap(), "no key\n", "-P", "-t", topic, "-p", "0", "-z", codec);
        // librdkafka's text for INVALID_RECORD; kcat exits 1 when a message was not delivered.
        assertThat(keyless.exitCode()).as(keyless.output()).isNotZero();
        assertThat(keyless.output()).contains("Broker failed to validate record");
        assertThat(listOffsets(topic, OffsetSpec.latest()).offset()).isEqualTo(3);
        Tools.Result consumed = Tools.kcat(broker.bootstrap(), null, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%k=%s\\n");
        assertThat(consumed.output()).contains("k1=v1").contains("k2=v2").contains("k3=v3");
    }

    // ------------------------------------------------------------------ malformed records (raw batches)

    @Test
    void malformedRecordsAreInvalidRecordAndNothingIsStored() throws Exception {
        createTopic("malformed", Map.of());
        long now = System.currentTimeMillis();
        ByteBuffer nullHeaderKey = RecordBatchBuilder.create(0, now).add("k".getBytes(), null, now, "ok", null).build();
        ByteBuffer three = RecordBatchBuilder.create(0, now).compression(4).add(null, "a".getBytes(), now)
                .add(null, "b".getBytes(), now).add(null, "c".getBytes(), now).build();
        ByteBuffer countTooHigh = withCount(three, 4);
        ByteBuffer countTooLow = withCount(three, 2);
        ByteBuffer deltas = RecordBatchBuilder.create(0, now).add(null, "a".getBytes(), now).add(null, "b".getBytes(), now)
                .build();
        deltas.put(RecordBatchDescriptor.RECORDS_OFFSET + 3, (byte) 2); // record 0's offset delta 0 -> 1
        resetCrc(deltas);
        for (ByteBuffer bad : List.of(nullHeaderKey, countTooHigh, countTooLow, deltas)) {
            ProduceResponseData.PartitionProduceResponse r = produceRaw("malformed", bad);
            assertThat(r.errorCode()).isEqualTo((short) 87); // INVALID_RECORD
            assertThat(r.errorMessage()).isNotBlank();
        }
        // Compressed bytes that do not decompress: Kafka 4.4.0 answers UNKNOWN_SERVER_ERROR (-1), so does Sluice.
        ByteBuffer garbage = RecordBatchBuilder.create(0, now).compression(1).add(null, new byte[500], now).build();
        for (int i = RecordBatchDescriptor.RECORDS_OFFSET + 8; i < garbage.limit(); i++) {
            garbage.put(i, (byte) (garbage.get(i) ^ 0x5A));
        }
        resetCrc(garbage);
        ProduceResponseData.PartitionProduceResponse g = produceRaw("malformed", garbage);
        assertThat(g.errorCode()).isEqualTo((short) -1);
        assertThat(g.errorMessage()).isEqualTo("compressed records do not decompress");
        assertThat(listOffsets("malformed", OffsetSpec.latest()).offset()).isZero();
        assertThat(produceRaw("malformed", three).errorCode()).isZero();
        assertThat(broker.log()).contains("record header with a null key")
                .contains("fewer records than the header's record count").contains("offset deltas are not 0, 1, 2");
    }

    private static ByteBuffer withCount(ByteBuffer batch, int count) {
        ByteBuffer copy = ByteBuffer.allocate(batch.limit());
        copy.put(batch.duplicate()).flip();
        copy.putInt(RecordBatchDescriptor.RECORD_COUNT_OFFSET, count);
        copy.putInt(RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET, count - 1);
        resetCrc(copy);
        return copy;
    }

    private static void resetCrc(ByteBuffer batch) {
        batch.putInt(RecordBatchDescriptor.CRC_OFFSET, (int) RecordBatchHeader.computeCrc(batch, 0, batch.limit()));
    }
}
