package io.sluice.server.it;

import static io.sluice.server.it.MetricsScrape.sum;
import static io.sluice.server.it.MetricsScrape.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker's lag verdicts (issue test "lag verdicts") with real consumers: while a producer
 * writes 20 records/s, a group that reads everything is OK, one that reads and commits one record
 * per 200 ms falls behind at every commit (WARNING), and one that commits five times and stops is
 * STOPPED once its window has passed. Window of 5 commits, a sample every 200 ms. The verdicts are
 * awaited together (a slow consumer held up by a busy machine may look STOPPED for a moment), bounded.
 */
@Timeout(120)
class LagVerdictTest {

    private static final TopicPartition TP = new TopicPartition("lagging", 0);
    private static final Map<String, String> SETTINGS = Map.of(
            "sluice.lag.window.commits", "5", "sluice.lag.sample.interval.ms", "200");

    @Test
    void caughtUpIsOkSlowIsWarningAndStoppedIsStopped() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(3);
        AtomicBoolean running = new AtomicBoolean(true);
        try (BrokerProcess broker = BrokerProcess.start(SETTINGS); Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1))).all().get();
            Future<?> producing = threads.submit(() -> produce(broker.bootstrap(), running));
            Future<?> fast = threads.submit(() -> consume(broker.bootstrap(), "fast", 0, running));
            Future<?> slow = threads.submit(() -> consume(broker.bootstrap(), "slow", 200, running));
            try (KafkaConsumer<byte[], byte[]> stopper = consumer(broker.bootstrap(), "stopper")) {
                for (int i = 1; i <= 5; i++) {
                    stopper.commitSync(Map.of(TP, new OffsetAndMetadata(i)));
                    Thread.sleep(300); // one commit per sample, so the window holds three
                }
            }

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                String t = text(broker);
                assertThat(verdict(t, "stopper")).as(t).isEqualTo("STOPPED");
                assertThat(verdict(t, "slow")).isEqualTo("WARNING");
                assertThat(verdict(t, "fast")).isEqualTo("OK");
            });
            String t = text(broker);
            assertThat(sum(t, "sluice_group_lag_records", "group=\"slow\"")).isPositive();
            assertThat(sum(t, "sluice_group_lag_seconds", "group=\"stopper\"")).isPositive();
            assertThat(StatusCommandTest.status(broker.bootstrap(), 10_000)).containsPattern("  stopper +\\S+ +\\S+ +lag \\d+ +STOPPED");
            running.set(false);
            producing.get(30, TimeUnit.SECONDS);
            fast.get(30, TimeUnit.SECONDS);
            slow.get(30, TimeUnit.SECONDS);
        } finally {
            running.set(false);
            threads.shutdownNow();
        }
    }

    /** The status of {@code group} whose series is 1, or null. */
    private static String verdict(String text, String group) {
        for (String status : List.of("OK", "WARNING", "STALLED", "STOPPED", "ERROR")) {
            if (sum(text, "sluice_group_lag_status", "group=\"" + group + "\"", "status=\"" + status + "\"") == 1) {
                return status;
            }
        }
        return null;
    }

    /** 20 records/s until stopped, at most 60 s. */
    private static Void produce(String bootstrap, AtomicBoolean running) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, "1", false, "none")) {
            for (int i = 0; i < 1200 && running.get(); i++) {
                producer.send(new ProducerRecord<>(TP.topic(), ("v" + i).getBytes())).get();
                Thread.sleep(50);
            }
        }
        return null;
    }

    /** Reads one record per poll, commits it, and waits {@code pauseMs}; until stopped, at most 60 s. */
    private static Void consume(String bootstrap, String group, long pauseMs, AtomicBoolean running) throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, group)) {
            c.assign(List.of(TP));
            c.seekToBeginning(List.of(TP));
            long deadline = System.currentTimeMillis() + 60_000;
            while (running.get() && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(100));
                c.commitSync();
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs);
                }
            }
        }
        return null;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
