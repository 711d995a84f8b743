package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code __consumer_offsets} is kept small by the log cleaner alone: a group commits the same
 * offsets hundreds of times with large metadata, filling many 1 MiB segments of its offsets
 * partition, created with Kafka's settings; the cleaner compacts them (its metrics say so, the
 * partition shrinks, its log start stays at 0: nothing was cut off), and after a broker restart the coordinator loads the cleaned
 * partition and the consumer resumes exactly at its last commit.
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OffsetsCompactionProcessTest {

    private static final String GROUP = "compacted-commits";
    private static final String TOPIC = "input";
    private static final int PARTITIONS = 8;
    private static final int RECORDS_PER_PARTITION = 20;
    private static final int COMMITS = 300;
    private static final int METADATA_BYTES = 2000;
    private static final long SEGMENT_BYTES = 1024 * 1024;

    @Test
    void theCleanerShrinksTheOffsetsPartitionAndTheConsumerResumesAtItsLastCommitAfterARestart() throws Exception {
        Map<String, String> settings = Map.of("offsets.topic.num.partitions", "1",
                "offsets.topic.replication.factor", "1",
                "offsets.topic.segment.bytes", Long.toString(SEGMENT_BYTES),
                "log.cleaner.backoff.ms", "100");
        try (BrokerProcess broker = BrokerProcess.start(settings)) {
            String b = broker.bootstrap();
            try (Admin admin = Clients.admin(b)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(b, "all", true, "none")) {
                for (int i = 0; i < PARTITIONS * RECORDS_PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, ("v" + i).getBytes()));
                }
                producer.flush();
            }
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            Map<TopicPartition, OffsetAndMetadata> last = new HashMap<>();
            try (KafkaConsumer<byte[], byte[]> c = consumer(b)) {
                c.assign(tps);
                String padding = "m".repeat(METADATA_BYTES);
                for (int i = 1; i <= COMMITS; i++) {
                    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                    for (TopicPartition tp : tps) {
                        // Below the partition's end, so the resumed consumer has records to read from it.
                        commit.put(tp, new OffsetAndMetadata((i + tp.partition()) % RECORDS_PER_PARTITION,
                                i + ":" + padding));
                    }
                    c.commitSync(commit);
                    last = commit;
                }
            }
            long written = (long) COMMITS * PARTITIONS * METADATA_BYTES;
            assertThat(written).as("the commits fill several segments").isGreaterThan(4 * SEGMENT_BYTES);

            String partition = "topic=\"__consumer_offsets\"";
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String metrics = MetricsScrape.text(broker);
            while (MetricsScrape.sum(metrics, "sluice_partition_size_bytes", partition) > 2 * SEGMENT_BYTES
                    || MetricsScrape.sum(metrics, "sluice_log_cleaner_cleanings_total", partition) == 0) {
                assertThat(System.nanoTime()).as("cleaned within 30 s; metrics:%n%s", metrics).isLessThan(deadline);
                Thread.sleep(200);
                metrics = MetricsScrape.text(broker);
            }
            assertThat(MetricsScrape.sum(metrics, "sluice_log_cleaner_read_bytes_total", partition)).isPositive();
            assertThat(MetricsScrape.sum(metrics, "sluice_partition_log_start_offset", partition))
                    .as("compacted, not cut off").isZero();
            assertThat(MetricsScrape.sum(metrics, "sluice_partition_log_end_offset", partition))
                    .isGreaterThanOrEqualTo(COMMITS * PARTITIONS);
            assertThat(metrics).doesNotContain("sluice_log_cleaner_uncleanable{");
            try (Admin admin = Clients.admin(b)) {
                ConfigResource offsets = new ConfigResource(ConfigResource.Type.TOPIC, "__consumer_offsets");
                Config config = admin.describeConfigs(List.of(offsets)).all().get(30, TimeUnit.SECONDS).get(offsets);
                assertThat(config.get("cleanup.policy").value()).as("created as Kafka creates it").isEqualTo("compact");
                assertThat(config.get("compression.type").value()).isEqualTo("producer");
                assertThat(config.get("segment.bytes").value()).isEqualTo(Long.toString(SEGMENT_BYTES));
            }

            broker.stop();
            broker.restart();
            try (KafkaConsumer<byte[], byte[]> c = consumer(b)) {
                assertThat(c.committed(Set.copyOf(tps), Duration.ofSeconds(60))).isEqualTo(last);
                c.assign(tps);
                Map<Integer, Long> firstOffset = new HashMap<>();
                long pollDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (firstOffset.size() < PARTITIONS) {
                    assertThat(System.nanoTime()).as("records from every partition").isLessThan(pollDeadline);
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        firstOffset.putIfAbsent(r.partition(), r.offset());
                    }
                }
                for (TopicPartition tp : tps) {
                    assertThat(firstOffset.get(tp.partition())).as("%s resumes at its last commit", tp)
                            .isEqualTo(last.get(tp).offset());
                }
            }
            assertThat(BrokerProcess.errorsAndStackTraces(broker.log())).isEmpty();
        }
    }

    /** A consumer of {@link #GROUP} that commits by hand and fails rather than reset without a commit. */
    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
