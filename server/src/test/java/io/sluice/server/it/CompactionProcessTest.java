package io.sluice.server.it;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real broker process compacts: compacted topics written by kafka-clients' idempotent producer
 * with each compression codec, every key overwritten round after round across many segments, read
 * back by kafka-clients' consumer as one record per key, the latest (a tombstone's key at most once,
 * as its tombstone: it goes only at a cleaning after its delete horizon, which needs new dirty data).
 */
@Timeout(240)
class CompactionProcessTest {

    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    private static final int KEYS = 10;
    private static final int ROUNDS = 12;
    private static final long SEGMENT_MS = 100;

    @Test
    void compactedTopicsWrittenWithEachCodecReadBackAsTheLatestRecordOfEachKey() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(Map.of("log.cleaner.backoff.ms", "100"));
             Admin admin = Clients.admin(broker.bootstrap())) {
            List<NewTopic> topics = new ArrayList<>();
            for (String codec : CODECS) {
                topics.add(new NewTopic("compacted-" + codec, 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                        "segment.ms", Long.toString(SEGMENT_MS), "min.cleanable.dirty.ratio", "0.01",
                        "delete.retention.ms", "0")));
            }
            admin.createTopics(topics).all().get();
            Map<String, KafkaProducer<byte[], byte[]>> producers = new LinkedHashMap<>();
            for (String codec : CODECS) {
                producers.put(codec, Clients.producer(broker.bootstrap(), "all", true, codec));
            }
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    for (String codec : CODECS) {
                        for (int k = 0; k < KEYS; k++) {
                            byte[] value = round == ROUNDS - 1 && k == 0 ? null : bytes("round-" + round + "-" + k);
                            producers.get(codec).send(new ProducerRecord<>("compacted-" + codec, bytes("key-" + k), value));
                        }
                        producers.get(codec).flush();
                    }
                    Thread.sleep(SEGMENT_MS + 50); // the next round rolls a new segment (segment.ms)
                }
                for (String codec : CODECS) {
                    // Seals the last round's segment: the active segment is never cleaned.
                    producers.get(codec).send(new ProducerRecord<>("compacted-" + codec, bytes("marker"), bytes("m"))).get();
                }
            } finally {
                for (KafkaProducer<byte[], byte[]> p : producers.values()) {
                    p.close();
                }
            }
            for (String codec : CODECS) {
                TopicPartition tp = new TopicPartition("compacted-" + codec, 0);
                Map<String, String> latest = awaitCompacted(broker.bootstrap(), tp);
                Map<String, String> expected = new HashMap<>();
                for (int k = 1; k < KEYS; k++) {
                    expected.put("key-" + k, "round-" + (ROUNDS - 1) + "-" + k);
                }
                expected.put("marker", "m");
                assertThat(latest).as("codec %s", codec).isEqualTo(expected);
            }
            // The cleaner's work, as the metrics endpoint reports it.
            String metrics = MetricsScrape.text(broker);
            for (String codec : CODECS) {
                String topic = "topic=\"compacted-" + codec + "\"";
                assertThat(MetricsScrape.sum(metrics, "sluice_log_cleaner_cleanings_total", topic)).as(codec).isPositive();
                assertThat(MetricsScrape.sum(metrics, "sluice_log_cleaner_read_bytes_total", topic)).isPositive();
            }
            assertThat(metrics).doesNotContain("sluice_log_cleaner_uncleanable{");
            assertThat(BrokerProcess.errorsAndStackTraces(broker.log())).isEmpty();
        }
    }

    /**
     * Reads the partition until it holds one record per live key (the cleaner runs in the background),
     * checking on every read that offsets grow and each key's records come in the order written.
     */
    private static Map<String, String> awaitCompacted(String bootstrap, TopicPartition tp) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            Clients.ReadResult read = Clients.readToEnd(bootstrap, List.of(tp), Duration.ofSeconds(30));
            Map<String, String> latest = new HashMap<>();
            Map<String, Integer> recordsOfKey = new HashMap<>();
            long previous = -1;
            for (ConsumerRecord<byte[], byte[]> r : read.records()) {
                assertThat(r.offset()).isGreaterThan(previous);
                previous = r.offset();
                String key = new String(r.key(), StandardCharsets.UTF_8);
                recordsOfKey.merge(key, 1, Integer::sum);
                if (r.value() == null) {
                    latest.remove(key);
                } else {
                    latest.put(key, new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            if (read.complete() && recordsOfKey.values().stream().allMatch(n -> n == 1)) {
                return latest; // one record per key: compacted
            }
            assertThat(System.nanoTime()).as("%s compacted within 90 s (%d records read)", tp, read.records().size())
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
