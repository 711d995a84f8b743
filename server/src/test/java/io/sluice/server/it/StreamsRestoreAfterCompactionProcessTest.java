package io.sluice.server.it;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.StringJoiner;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kafka Streams word count restores its counts from a compacted changelog (issue 16, test 3): a
 * Kafka Streams 4.4 app counts words into a KTable on a real broker process, round after round, until
 * the cleaner has compacted the table's changelog; the app is stopped, its local state wiped, and
 * started again: it restores the table from the changelog alone, and every word's count is the one
 * the test computed, in the restored store and after one more occurrence of every word.
 */
@Tag("slow")
@Timeout(120)
class StreamsRestoreAfterCompactionProcessTest {

    private static final String APP_ID = "wordcount";
    private static final String INPUT = "lines";
    private static final String STORE = "counts";
    private static final String CHANGELOG = APP_ID + "-" + STORE + "-changelog";
    private static final List<String> WORDS = List.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
            "theta", "iota", "kappa", "lambda", "mu");
    private static final int ROUNDS = 6;
    private static final int LINES_PER_ROUND = 15;
    private static final long SEGMENT_MS = 100;

    @TempDir
    Path stateDir;

    @Test
    void wordCountRestoredFromACompactedChangelogHasEveryWordsCount() throws Exception {
        long seed = Long.getLong("sluice.seed", System.nanoTime());
        System.out.println("StreamsRestoreAfterCompactionProcessTest seed " + seed + " (replay with -Dsluice.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Map<String, Long> expected = new HashMap<>();
        int updates = 0;
        try (BrokerProcess broker = BrokerProcess.start(Map.of("log.cleaner.backoff.ms", "100",
                "group.initial.rebalance.delay.ms", "0"));
             Admin admin = Clients.admin(broker.bootstrap());
             KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), "all", true, "none")) {
            admin.createTopics(List.of(new NewTopic(INPUT, 1, (short) 1))).all().get();
            KafkaStreams app = start(broker.bootstrap());
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    for (int line = 0; line < LINES_PER_ROUND; line++) {
                        StringJoiner words = new StringJoiner(" ");
                        for (int w = 0; w < 3; w++) {
                            String word = WORDS.get(rnd.nextInt(WORDS.size()));
                            words.add(word);
                            expected.merge(word, 1L, Long::sum);
                            updates++;
                        }
                        producer.send(new ProducerRecord<>(INPUT, null, bytes(words.toString())));
                    }
                    producer.flush();
                    awaitCounts(app, expected);
                    Thread.sleep(SEGMENT_MS + 50); // the next changelog write rolls a segment (segment.ms)
                }
                awaitChangelogCompacted(broker, updates);
            } finally {
                app.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
            }
            app.cleanUp(); // wipes the local state: the restart restores from the changelog alone
            try (Stream<Path> left = Files.walk(stateDir)) {
                assertThat(left.filter(f -> f.getFileName().toString().equals(STORE))).as("the store's files").isEmpty();
            }

            KafkaStreams restarted = start(broker.bootstrap());
            try {
                awaitCounts(restarted, expected);
                for (String word : WORDS) {
                    producer.send(new ProducerRecord<>(INPUT, null, bytes(word)));
                    expected.merge(word, 1L, Long::sum);
                }
                producer.flush();
                awaitCounts(restarted, expected);
            } finally {
                restarted.close(Duration.ofSeconds(30));
            }
            assertThat(BrokerProcess.errorsAndStackTraces(broker.log())).isEmpty();
        }
    }

    private KafkaStreams start(String bootstrap) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(STORE)
                        // The changelog rolls and is cleaned quickly.
                        .withLoggingEnabled(Map.of("segment.ms", Long.toString(SEGMENT_MS),
                                "min.cleanable.dirty.ratio", "0.01")));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APP_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // No record cache: every count update goes to the changelog, so it has many per word to compact.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        KafkaStreams streams = new KafkaStreams(builder.build(), p);
        streams.start();
        return streams;
    }

    /** Waits until the app's store holds exactly {@code expected} (the app is running and has caught up). */
    private static void awaitCounts(KafkaStreams app, Map<String, Long> expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Long> counts = Map.of();
        while (true) {
            if (app.state() == KafkaStreams.State.RUNNING) {
                try {
                    counts = read(app.store(StoreQueryParameters.fromNameAndType(STORE,
                            QueryableStoreTypes.<String, Long>keyValueStore())));
                    if (counts.equals(expected)) {
                        return;
                    }
                } catch (InvalidStateStoreException e) {
                    // rebalancing or restoring: asked again below
                }
            }
            assertThat(app.state()).isNotIn(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR);
            assertThat(System.nanoTime()).as("the store holds the expected counts within 60 s; it holds %s, expected %s",
                    counts, expected).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static Map<String, Long> read(ReadOnlyKeyValueStore<String, Long> store) {
        Map<String, Long> out = new HashMap<>();
        try (KeyValueIterator<String, Long> it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    /**
     * The cleaner ran on the changelog (its metric) and removed superseded counts: a full read holds
     * fewer records than the {@code updates} the app wrote.
     */
    private static void awaitChangelogCompacted(BrokerProcess broker, int updates) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            double cleanings = MetricsScrape.sum(MetricsScrape.text(broker), "sluice_log_cleaner_cleanings_total",
                    "topic=\"" + CHANGELOG + "\"");
            if (cleanings > 0) {
                Clients.ReadResult read = Clients.readToEnd(broker.bootstrap(), List.of(new TopicPartition(CHANGELOG, 0)),
                        Duration.ofSeconds(30));
                if (read.complete() && read.records().size() < updates) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("%s compacted within 60 s (%s cleanings)", CHANGELOG, cleanings)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
