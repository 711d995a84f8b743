package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.network.RawClient;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kill -9 during a produce load, then restart: every acknowledged record is there at its
 * acknowledged offset (the page cache outlives the process), offsets continue, and the producer
 * state still deduplicates a batch sent before the crash.
 */
@Tag("slow")
@Timeout(240)
class CrashRecoveryTest {

    private record Acked(int partition, long offset, String value) { }

    @Test
    void acknowledgedRecordsSurviveKill9AndOffsetsContinue() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start()) {
            try (Admin admin = Clients.admin(broker.bootstrap())) {
                admin.createTopics(List.of(new NewTopic("crash", 2, (short) 1))).all().get();
            }
            InetSocketAddress addr = new InetSocketAddress("localhost", broker.clientPort());
            ByteBuffer rawBatch;
            long rawOffset;
            try (RawClient c = new RawClient(addr)) {
                long pid = Raw.initProducerId(c).producerId();
                rawBatch = Raw.batch(pid, (short) 0, 0, 4, "raw").buffer();
                rawOffset = Raw.produce(c, "crash", 0, rawBatch).baseOffset();
            }

            ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
            AtomicInteger failed = new AtomicInteger();
            KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), "all", true, "lz4");
            Thread load = new Thread(() -> {
                for (int i = 0; i < 1_000_000 && !Thread.currentThread().isInterrupted(); i++) {
                    String value = "v-" + i;
                    try {
                        producer.send(new ProducerRecord<>("crash", i % 2, null, value.getBytes()), (md, e) -> {
                            if (e == null) {
                                acked.add(new Acked(md.partition(), md.offset(), value));
                            } else {
                                failed.incrementAndGet();
                            }
                        });
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            load.start();
            while (acked.size() < 5000) {
                Thread.sleep(10);
            }
            broker.kill9();
            load.interrupt();
            producer.close(Duration.ZERO);
            load.join(10_000);
            List<Acked> ackedBeforeKill = List.copyOf(acked);

            broker.restart();

            Map<Integer, Long> maxAcked = new HashMap<>();
            for (Acked a : ackedBeforeKill) {
                maxAcked.merge(a.partition(), a.offset(), Math::max);
            }
            int expected = (int) (maxAcked.get(0) + 1 + maxAcked.get(1) + 1);
            List<TopicPartition> tps = List.of(new TopicPartition("crash", 0), new TopicPartition("crash", 1));
            List<ConsumerRecord<byte[], byte[]>> got = Clients.readAll(broker.bootstrap(), tps, expected, Duration.ofSeconds(60));
            Map<String, String> byPosition = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : got) {
                byPosition.put(r.partition() + "@" + r.offset(), new String(r.value()));
            }
            for (Acked a : ackedBeforeKill) {
                assertThat(byPosition.get(a.partition() + "@" + a.offset()))
                        .as("acknowledged record %s", a).isEqualTo(a.value());
            }

            try (RawClient c = new RawClient(addr)) {
                var retry = Raw.produce(c, "crash", 0, rawBatch);
                assertThat(retry.errorCode()).isZero();
                assertThat(retry.baseOffset()).as("deduplicated after kill -9").isEqualTo(rawOffset);
                long end = Raw.latestOffset(c, "crash", 0);
                assertThat(end).isGreaterThan(maxAcked.get(0));
                var next = Raw.produce(c, "crash", 0, Raw.batch(-1, (short) -1, -1, 1, "after").buffer());
                assertThat(next.baseOffset()).as("offsets continue").isEqualTo(end);
            }
        }
    }
}
