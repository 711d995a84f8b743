package io.sluice.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.chaos.target.BrokerNode;
import io.sluice.chaos.target.ServingProbe;
import io.sluice.chaos.target.TargetSpec;
import io.sluice.chaos.target.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compaction compared with Apache Kafka 4.4 (issue 16, test 4): the same seeded sequence of writes
 * (keys, values, tombstones) goes to a compacted topic on a Sluice process and on a Kafka process,
 * in rounds that each roll a segment; then filler rounds give both cleaners dirty segments until
 * both logs are compacted (one record per key, every tombstone gone after {@code delete.retention.ms}).
 * Both end with the same latest value of every key, the one the model computed, and no deleted key.
 */
@Tag("slow")
class CompactionAgainstKafkaTest {
    private static final Path WORK = Path.of(System.getProperty("chaos.workDir", "target/chaos-work"));
    private static final String TOPIC = "compared";
    private static final String FILLER = "filler";
    private static final int KEYS = 25;
    private static final int ROUNDS = 6;
    private static final int WRITES_PER_ROUND = 40;
    private static final int TOMBSTONE_PERCENT = 20;
    private static final long SEGMENT_MS = 100;
    private static final Duration COMPACTED_WITHIN = Duration.ofSeconds(60);

    /** One write: a null value is a tombstone. */
    private record Write(String key, String value) { }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void sameWritesEndWithTheSameLatestValueOfEveryKeyOnSluiceAndKafka() throws Exception {
        long seed = Long.getLong("sluice.seed", System.nanoTime());
        System.out.println("CompactionAgainstKafkaTest seed " + seed + " (replay with -Dsluice.seed=" + seed + ")");
        List<List<Write>> rounds = writes(new Random(seed));
        Map<String, String> model = new HashMap<>();
        for (List<Write> round : rounds) {
            for (Write w : round) {
                if (w.value() == null) {
                    model.remove(w.key());
                } else {
                    model.put(w.key(), w.value());
                }
            }
        }
        Path dir = Files.createDirectories(WORK.resolve("compaction-against-kafka"));
        ScheduleRunner.deleteRecursively(dir);
        try (BrokerNode kafka = new BrokerNode(withCleanerBackoff(Targets.kafka(Path.of(System.getProperty(
                     "chaos.kafkaClasspathFile", "target/kafka-standin.classpath")))), 1, dir.resolve("kafka"),
                     Uuid.randomUuid().toString(), 0);
             BrokerNode sluice = new BrokerNode(withCleanerBackoff(Targets.sluice(Path.of(System.getProperty(
                     "chaos.repoRoot", "..")))), 1, dir.resolve("sluice"), Uuid.randomUuid().toString(), 0)) {
            List<BrokerNode> nodes = List.of(kafka, sluice);
            for (BrokerNode n : nodes) {
                n.format();
                n.start();
            }
            List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
            try {
                for (BrokerNode n : nodes) {
                    ServingProbe.awaitServing(n, false, Duration.ofSeconds(90));
                    try (Admin admin = ServingProbe.admin(n.bootstrap())) {
                        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                                "cleanup.policy", "compact", "segment.ms", Long.toString(SEGMENT_MS),
                                "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "0"))))
                                .all().get(30, TimeUnit.SECONDS);
                    }
                    producers.add(producer(n.bootstrap()));
                }
                for (List<Write> round : rounds) {
                    for (KafkaProducer<byte[], byte[]> p : producers) {
                        for (Write w : round) {
                            p.send(new ProducerRecord<>(TOPIC, bytes(w.key()), w.value() == null ? null : bytes(w.value())));
                        }
                        p.flush();
                    }
                    Thread.sleep(SEGMENT_MS + 50); // the next round rolls a segment (segment.ms)
                }
                Map<String, Map<String, String>> compacted = awaitCompacted(nodes, producers, model);
                Map<String, String> onKafka = compacted.get(kafka.name());
                Map<String, String> onSluice = compacted.get(sluice.name());
                assertThat(onSluice).as("every key's latest value, Sluice against Kafka").isEqualTo(onKafka);
                for (String key : keys()) {
                    if (!model.containsKey(key)) {
                        assertThat(onKafka).as("deleted on Kafka").doesNotContainKey(key);
                        assertThat(onSluice).as("deleted on Sluice").doesNotContainKey(key);
                    }
                }
            } finally {
                producers.forEach(KafkaProducer::close);
            }
        }
        ScheduleRunner.deleteRecursively(dir);
    }

    /**
     * Writes a filler record to each broker a round (so each has a new dirty segment for its cleaner,
     * and tombstones past their horizon go at its next cleaning) until every broker's full read holds
     * exactly one record per live key of {@code model} plus the filler, with the model's values.
     *
     * @return each broker's key to latest value (filler left out), by node name
     */
    private static Map<String, Map<String, String>> awaitCompacted(List<BrokerNode> nodes,
            List<KafkaProducer<byte[], byte[]>> producers, Map<String, String> model) throws Exception {
        long deadline = System.nanoTime() + COMPACTED_WITHIN.toNanos();
        Map<String, List<String>> lastRead = new LinkedHashMap<>();
        for (int round = 0; ; round++) {
            for (KafkaProducer<byte[], byte[]> p : producers) {
                p.send(new ProducerRecord<>(TOPIC, bytes(FILLER), bytes("f" + round))).get(10, TimeUnit.SECONDS);
            }
            Map<String, Map<String, String>> latest = new LinkedHashMap<>();
            boolean all = true;
            for (BrokerNode n : nodes) {
                List<ConsumerRecord<byte[], byte[]>> records = readAll(n.bootstrap());
                Map<String, String> values = new HashMap<>();
                Map<String, Integer> perKey = new HashMap<>();
                List<String> shown = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    String value = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
                    shown.add(r.offset() + ":" + key + "=" + value);
                    if (key.equals(FILLER)) {
                        continue;
                    }
                    perKey.merge(key, 1, Integer::sum);
                    if (value == null) {
                        values.remove(key);
                    } else {
                        values.put(key, value);
                    }
                }
                lastRead.put(n.name(), shown);
                latest.put(n.name(), values);
                // Compacted: no tombstone left, one record per live key, and those are the model's.
                all &= records.stream().noneMatch(r -> r.value() == null)
                        && perKey.values().stream().allMatch(c -> c == 1) && values.equals(model);
            }
            if (all) {
                System.out.printf("both compacted after %d filler round(s): %d live keys, %d deleted%n", round + 1,
                        model.size(), KEYS - model.size());
                return latest;
            }
            assertThat(System.nanoTime()).as("both compacted within %s; model %s; last reads %s", COMPACTED_WITHIN,
                    model, lastRead).isLessThan(deadline);
            Thread.sleep(SEGMENT_MS + 50); // the next filler rolls a segment
        }
    }

    /** The rounds of writes: random keys, a value naming its round and position, some tombstones. */
    private static List<List<Write>> writes(Random rnd) {
        List<List<Write>> rounds = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            List<Write> round = new ArrayList<>();
            for (int i = 0; i < WRITES_PER_ROUND; i++) {
                String key = keys().get(rnd.nextInt(KEYS));
                round.add(new Write(key, rnd.nextInt(100) < TOMBSTONE_PERCENT ? null : "v" + r + "-" + i));
            }
            rounds.add(round);
        }
        return rounds;
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            keys.add("key-" + k);
        }
        return keys;
    }

    /** The target with its log cleaner waking every 100 ms instead of every 15 s. */
    private static TargetSpec withCleanerBackoff(TargetSpec spec) {
        Map<String, String> p = new LinkedHashMap<>(spec.properties());
        p.put("log.cleaner.backoff.ms", "100");
        return new TargetSpec(spec.name(), spec.startCommand(), spec.formatCommand(), p, spec.checkpointTracksForce());
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Every record of the partition, from its start to the end offset it had when the read began. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (c.position(tp, Duration.ofSeconds(10)) < end) {
                assertThat(System.nanoTime()).as("read to offset %d within 20 s", end).isLessThan(deadline);
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
