package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** kafka-clients 4.4.0 producer, consumer and AdminClient against a broker process. */
@Tag("slow")
@Timeout(180)
class ClientCompatibilityTest {

    private static BrokerProcess broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = BrokerProcess.start();
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            String log = broker.log();
            broker.close();
            assertThat(log).as("Netty buffer leaks").doesNotContain("LEAK:");
        }
    }

    @ParameterizedTest(name = "acks={0} idempotent={1} compression={2}")
    @CsvSource({"0,false,none", "1,false,none", "all,false,none", "all,true,none", "all,true,gzip",
            "all,true,snappy", "all,true,lz4", "all,true,zstd", "1,false,zstd"})
    void consumerReadsBackExactlyWhatWasProduced(String acks, boolean idempotent, String compression) throws Exception {
        String topic = "rt-" + acks + "-" + idempotent + "-" + compression;
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        int count = 300;
        List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
        long baseTs = System.currentTimeMillis() - 10_000;
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), acks, idempotent, compression)) {
            List<Future<RecordMetadata>> acked = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] key = i % 7 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("value-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, i % 2, baseTs + i, key, value,
                        List.of(new RecordHeader("h", ("hv" + i).getBytes(StandardCharsets.UTF_8))));
                sent.add(r);
                acked.add(producer.send(r));
            }
            producer.flush();
            for (Future<RecordMetadata> f : acked) {
                RecordMetadata md = f.get();
                if (!acks.equals("0")) {
                    assertThat(md.offset()).isGreaterThanOrEqualTo(0);
                }
            }
        }
        List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        List<ConsumerRecord<byte[], byte[]>> got = Clients.readAll(broker.bootstrap(), tps, count, Duration.ofSeconds(60));
        assertThat(got).hasSize(count);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
        got.forEach(r -> byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r));
        for (int p = 0; p < 2; p++) {
            List<ConsumerRecord<byte[], byte[]>> records = byPartition.get(p);
            int idx = 0;
            for (ProducerRecord<byte[], byte[]> s : sent) {
                if (s.partition() != p) {
                    continue;
                }
                ConsumerRecord<byte[], byte[]> r = records.get(idx);
                assertThat(r.offset()).isEqualTo(idx);
                assertThat(r.key()).isEqualTo(s.key());
                assertThat(r.value()).isEqualTo(s.value());
                assertThat(r.timestamp()).isEqualTo(s.timestamp());
                assertThat(r.headers().lastHeader("h").value()).isEqualTo(s.headers().lastHeader("h").value());
                idx++;
            }
        }
    }

    /** Fetches of 1 MiB per partition go out with sendfile from the segment files (FetchHandler.SENDFILE_MIN_BYTES). */
    @Test
    void aConsumerCatchingUpReadsBigFetchesIntactAndTheBrokerClosesTheirFiles() throws Exception {
        String topic = "catch-up";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        int count = 2048;
        Random values = new Random(42);
        List<byte[]> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), "1", false, "none")) {
            for (int i = 0; i < count; i++) {
                byte[] value = new byte[4096];
                values.nextBytes(value);
                sent.add(value);
                producer.send(new ProducerRecord<>(topic, 0, null, value));
            }
            producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> got = Clients.readAll(broker.bootstrap(),
                List.of(new TopicPartition(topic, 0)), count, Duration.ofSeconds(60));
        assertThat(got).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(got.get(i).offset()).isEqualTo(i);
            assertThat(got.get(i).value()).as("value at offset %d", i).isEqualTo(sent.get(i));
        }
        // Each fetch opened the segment file for sendfile; once sent, those descriptors are closed
        // (what stays open is the active segment's own channel).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(openFilesOf(broker.pid(), topic + "-0")).isLessThanOrEqualTo(1));
    }

    /** Descriptors the process holds on .log files under a partition dir named {@code partitionDir}. */
    private static long openFilesOf(long pid, String partitionDir) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return ""; // closed while listing
                }
            }).filter(target -> target.contains("/" + partitionDir + "/") && target.endsWith(".log")).count();
        }
    }

    @Test
    void adminCreatesDescribesAndDeletesTopics() throws Exception {
        admin.createTopics(List.of(new NewTopic("adm-validate", 3, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("adm-validate");

        admin.createTopics(List.of(new NewTopic("adm-a", 3, (short) 1))).all().get();
        ExecutionException dup = Assertions.assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("adm-a", 1, (short) 1))).all().get());
        assertThat(dup.getCause()).isInstanceOf(TopicExistsException.class);

        TopicDescription d = admin.describeTopics(List.of("adm-a")).allTopicNames().get().get("adm-a");
        assertThat(d.partitions()).hasSize(3);
        assertThat(d.partitions().get(0).leader().id()).isEqualTo(1);
        assertThat(d.topicId()).isNotNull();
        assertThat(admin.describeCluster().nodes().get()).hasSize(1);

        admin.createPartitions(Map.of("adm-a", NewPartitions.increaseTo(5))).all().get();
        assertThat(admin.describeTopics(List.of("adm-a")).allTopicNames().get().get("adm-a").partitions()).hasSize(5);
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "all", true, "none")) {
            assertThat(p.send(new ProducerRecord<>("adm-a", 4, null, "v".getBytes())).get().offset()).isZero();
        }

        admin.deleteTopics(List.of("adm-a")).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("adm-a");
        ExecutionException gone = Assertions.assertThrows(ExecutionException.class,
                () -> admin.describeTopics(List.of("adm-a")).allTopicNames().get());
        assertThat(gone.getCause()).isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void adminDescribesAndAltersConfigs() throws Exception {
        admin.createTopics(List.of(new NewTopic("cfg-a", 1, (short) 1).configs(Map.of("retention.ms", "3600000")))).all().get();
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "cfg-a");
        Config c = admin.describeConfigs(List.of(res)).all().get().get(res);
        assertThat(c.get("retention.ms").value()).isEqualTo("3600000");
        assertThat(c.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(c.get("cleanup.policy").value()).isEqualTo("delete");

        admin.incrementalAlterConfigs(Map.of(res, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000000"), AlterConfigOp.OpType.SET)))).all().get();
        c = admin.describeConfigs(List.of(res)).all().get().get(res);
        assertThat(c.get("retention.ms").value()).isEqualTo("7200000");
        assertThat(c.get("max.message.bytes").value()).isEqualTo("2000000");

        admin.incrementalAlterConfigs(Map.of(res, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all().get();
        c = admin.describeConfigs(List.of(res)).all().get().get(res);
        assertThat(c.get("retention.ms").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        ExecutionException bad = Assertions.assertThrows(ExecutionException.class,
                () -> admin.incrementalAlterConfigs(Map.of(res, List.of(new AlterConfigOp(
                        new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))).all().get());
        assertThat(bad.getCause().getClass().getSimpleName()).isEqualTo("InvalidConfigurationException");

        ConfigResource brokerRes = new ConfigResource(ConfigResource.Type.BROKER, "1");
        Config b = admin.describeConfigs(List.of(brokerRes)).all().get().get(brokerRes);
        assertThat(b.get("message.max.bytes").value()).isEqualTo("1048588");
    }

    @Test
    void adminDeletesRecordsAndListsOffsets() throws Exception {
        String topic = "offsets-a";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        TopicPartition tp = new TopicPartition(topic, 0);
        long base = System.currentTimeMillis() - 100_000;
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 20; i++) {
                p.send(new ProducerRecord<>(topic, 0, base + i * 1000L, null, ("v" + i).getBytes())).get();
            }
        }
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset()).isZero();
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset()).isEqualTo(20);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp).get().offset()).isEqualTo(19);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.forTimestamp(base + 7000))).partitionResult(tp).get().offset())
                .isEqualTo(7);

        long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(5))).lowWatermarks().get(tp).get().lowWatermark();
        assertThat(low).isEqualTo(5);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset()).isEqualTo(5);
        List<ConsumerRecord<byte[], byte[]>> got = Clients.readAll(broker.bootstrap(), List.of(tp), 15, Duration.ofSeconds(30));
        assertThat(got).hasSize(15);
        assertThat(got.get(0).offset()).isEqualTo(5);
    }

    @Test
    void autoCreatedTopicGetsDefaultPartitions() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "1", false, "none")) {
            assertThat(p.send(new ProducerRecord<>("auto-created", "v".getBytes())).get().offset()).isZero();
        }
        assertThat(admin.listTopics().names().get()).contains("auto-created");
        assertThat(admin.describeTopics(Set.of("auto-created")).allTopicNames().get().get("auto-created").partitions())
                .hasSize(1);
    }

    @Test
    void longPollFetchIsWokenByAProduce() throws Exception {
        String topic = "longpoll";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        TopicPartition tp = new TopicPartition(topic, 0);
        try (var consumer = Clients.consumer(broker.bootstrap());
             KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "1", false, "none")) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
            Thread producerThread = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    p.send(new ProducerRecord<>(topic, 0, null, "late".getBytes())).get();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            producerThread.start();
            long start = System.nanoTime();
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            while (got.isEmpty() && System.nanoTime() - start < 20_000_000_000L) {
                consumer.poll(Duration.ofSeconds(10)).forEach(got::add);
            }
            producerThread.join();
            assertThat(got).hasSize(1);
            assertThat(Arrays.equals(got.get(0).value(), "late".getBytes())).isTrue();
        }
    }
}
