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
@Timeout(300)
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
            List<TopicPartition> tps = List.of(new TopicPartition("crash", 0), new TopicPartition("crash", 1));
            // Read each partition up to its end offset. A total record count is no stop condition: the
            // requests in flight at the kill may have been appended without their acks arriving, and
            // those extra records of one partition would fill the count before the other's tail is read.
            Clients.ReadResult read = Clients.readToEnd(broker.bootstrap(), tps, Duration.ofSeconds(90));
            String context = "max acknowledged offsets " + maxAcked + "; " + read.describe();
            for (TopicPartition tp : tps) {
                assertThat(read.endOffsets().get(tp)).as("log end offset after recovery covers every ack: %s", context)
                        .isGreaterThan(maxAcked.get(tp.partition()));
            }
            assertThat(read.complete()).as("read every partition to its end offset: %s", context).isTrue();
            Map<String, String> byPosition = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : read.records()) {
                byPosition.put(r.partition() + "@" + r.offset(), new String(r.value()));
            }
            List<String> lost = ackedBeforeKill.stream()
                    .filter(a -> !a.value().equals(byPosition.get(a.partition() + "@" + a.offset())))
                    .map(a -> a + " read as " + byPosition.get(a.partition() + "@" + a.offset()))
                    .toList();
            assertThat(lost).withFailMessage("%d of %d acknowledged records missing or changed, first: %s; %s",
                    lost.size(), ackedBeforeKill.size(), lost.subList(0, Math.min(5, lost.size())), context).isEmpty();

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
