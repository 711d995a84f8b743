package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17's quota test 3 against a real broker process: a producer whose client id has
 * {@code producer_byte_rate=1048576} is held to 1 MiB/s ± 10% over 20 s, measured from the broker's
 * own bytes-in count of its topic after a warm-up; another client id on the same broker is never
 * throttled (its {@code produce-throttle-time-max} is present and 0) and its latency with and without
 * the noisy client is printed, not asserted (a shared CI machine makes it noise); deleting the quota
 * lifts it at once, without a restart. Quota samples of 1 s × 2 (Kafka's default is 1 s × 11): the
 * rate is judged over the last two seconds, so the first burst it lets through is soon paid back
 * and a 20 s measurement shows the steady rate, not the memory of a long window.
 */
@Tag("slow")
@Timeout(120)
class ClientQuotaRateProcessTest {
    private static final long BOUND_BYTES_PER_S = 1_048_576;
    private static final int RECORD_BYTES = 1_000;
    private static final long WARM_UP_MS = 4_000;
    private static final long MEASURE_MS = 20_000;
    private static final long LIFTED_MEASURE_MS = 3_000;
    private static final int LATENCY_SENDS = 50;

    /** The noisy producer on its own thread, sending as fast as its client lets it until stopped. */
    private static final class NoisyProducer implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final AtomicLong acknowledgedBytes = new AtomicLong();
        private final Thread thread;

        NoisyProducer(String bootstrap) {
            thread = new Thread(() -> run(bootstrap), "noisy-producer");
            thread.start();
        }

        private void run(String bootstrap) {
            byte[] value = new byte[RECORD_BYTES];
            try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, "noisy", "65536")) {
                while (!stop.get()) {
                    p.send(new ProducerRecord<>("noisy", value), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            acknowledgedBytes.addAndGet(RECORD_BYTES);
                        }
                    });
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }

        long acknowledgedBytes() {
            assertThat(failure.get()).as("noisy producer failure").isNull();
            return acknowledgedBytes.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, String clientId, String batchBytes) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // A small buffer: send() blocks soon when throttled, so what is acknowledged tracks what is sent.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "1048576");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** The broker's count of bytes appended to the noisy producer's topic. */
    private static double noisyBytesIn(BrokerProcess broker) throws Exception {
        return MetricsScrape.sum(MetricsScrape.text(broker), "sluice_topic_bytes_in_total", "topic=\"noisy\"");
    }

    /** Sends {@code LATENCY_SENDS} small records one at a time; returns the latencies in ms, sorted. */
    private static double[] latenciesMs(KafkaProducer<byte[], byte[]> quiet) throws Exception {
        double[] out = new double[LATENCY_SENDS];
        for (int i = 0; i < LATENCY_SENDS; i++) {
            long start = System.nanoTime();
            quiet.send(new ProducerRecord<>("quiet", new byte[100])).get();
            out[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(out);
        return out;
    }

    private static String describe(double[] sortedMs) {
        return String.format("median %.1f ms, p90 %.1f ms, max %.1f ms", sortedMs[sortedMs.length / 2],
                sortedMs[sortedMs.length * 9 / 10], sortedMs[sortedMs.length - 1]);
    }

    /** The producer's own {@code produce-throttle-time-max}: the largest throttle of its recent responses. */
    private static double throttleTimeMaxMs(KafkaProducer<byte[], byte[]> producer) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("producer-metrics")
                        && e.getKey().name().equals("produce-throttle-time-max"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no produce-throttle-time-max"));
    }

    private static void configs(BrokerProcess broker, String... args) throws Exception {
        KafkaCli.Result r = KafkaCli.configs(broker.bootstrap(), args);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void producerIsHeldToItsByteRateOthersAreNotThrottledAndDeletingTheQuotaLiftsIt() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(
                Map.of("quota.window.num", "2", "quota.window.size.seconds", "1"));
             Admin admin = Clients.admin(broker.bootstrap());
             KafkaProducer<byte[], byte[]> quiet = producer(broker.bootstrap(), "quiet", "16384")) {
            admin.createTopics(List.of(new NewTopic("noisy", 1, (short) 1), new NewTopic("quiet", 1, (short) 1)))
                    .all().get();
            configs(broker, "--alter", "--entity-type", "clients", "--entity-name", "noisy", "--add-config",
                    "producer_byte_rate=" + BOUND_BYTES_PER_S);
            latenciesMs(quiet); // connects and warms the quiet client up
            double[] alone = latenciesMs(quiet);

            try (NoisyProducer noisy = new NoisyProducer(broker.bootstrap())) {
                Thread.sleep(WARM_UP_MS); // past the first burst the quota's samples let through
                double bytesBefore = noisyBytesIn(broker);
                long ackedBefore = noisy.acknowledgedBytes();
                long start = System.nanoTime();
                double[] withNoisy = latenciesMs(quiet);
                Thread.sleep(MEASURE_MS - (System.nanoTime() - start) / 1_000_000);
                double seconds = (System.nanoTime() - start) / 1e9;
                double brokerRate = (noisyBytesIn(broker) - bytesBefore) / seconds;
                double ackedRate = (noisy.acknowledgedBytes() - ackedBefore) / seconds;
                System.out.printf("quota %d B/s: measured over %.1f s %.0f B/s by the broker's bytes in (%.3f of the"
                                + " quota), %.0f B/s of record values acknowledged%n", BOUND_BYTES_PER_S, seconds,
                        brokerRate, brokerRate / BOUND_BYTES_PER_S, ackedRate);
                System.out.println("quiet client latency alone: " + describe(alone));
                System.out.println("quiet client latency beside the throttled one: " + describe(withNoisy));
                assertThat(brokerRate).as("noisy client's rate in B/s")
                        .isBetween(BOUND_BYTES_PER_S * 0.9, BOUND_BYTES_PER_S * 1.1);
                assertThat(throttleTimeMaxMs(quiet)).as("quiet client's largest throttle in the last minute").isZero();

                configs(broker, "--alter", "--entity-type", "clients", "--entity-name", "noisy", "--delete-config",
                        "producer_byte_rate");
                // The quota's sensor may still owe the client a throttle from its last window.
                Thread.sleep(2_000);
                double liftedBefore = noisyBytesIn(broker);
                long liftedStart = System.nanoTime();
                Thread.sleep(LIFTED_MEASURE_MS);
                double liftedRate = (noisyBytesIn(broker) - liftedBefore) / ((System.nanoTime() - liftedStart) / 1e9);
                System.out.printf("after deleting the quota: %.0f B/s%n", liftedRate);
                assertThat(liftedRate).as("noisy client's rate once its quota is gone, B/s")
                        .isGreaterThan(BOUND_BYTES_PER_S * 2.0);
                noisy.acknowledgedBytes();
            }
        }
    }
}
