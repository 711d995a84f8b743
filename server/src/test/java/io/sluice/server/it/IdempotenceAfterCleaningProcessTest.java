package io.sluice.server.it;

import io.sluice.server.network.RawClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An idempotent producer keeps being deduplicated after the cleaner removed its batches from a
 * compacted topic (issue 16, test 3). Every record of the producer's batches is overwritten by a later
 * write of another producer, so a cleaning drops its batches and keeps its last one as an empty header
 * (Kafka's LogCleaner keeps each producer's last batch for this). A resent batch (same producer id,
 * epoch and sequence, sent as a raw Produce request) is then answered as Kafka answers a duplicate: no
 * error, the original offsets, nothing appended; so again after a restart, whose producer state is
 * rebuilt from the cleaned log; and the producer's next sequence is accepted, not
 * OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
@Tag("slow")
@Timeout(120)
class IdempotenceAfterCleaningProcessTest {

    private static final String TOPIC = "idempotent-compacted";
    private static final int BATCHES = 6;
    private static final long SEGMENT_MS = 100;

    @Test
    void duplicateOfACleanedProducersLastBatchIsAcknowledgedWithItsOffsetsBeforeAndAfterRestart() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(Map.of("log.cleaner.backoff.ms", "100"));
             Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                    "segment.ms", Long.toString(SEGMENT_MS), "min.cleanable.dirty.ratio", "0.01")))).all().get();
            long producerId;
            short epoch;
            List<ByteBuffer> sent = new ArrayList<>();
            List<Long> baseOffsets = new ArrayList<>();
            try (RawClient c = client(broker)) {
                InitProducerIdResponseData init = Raw.initProducerId(c);
                assertThat(init.errorCode()).isZero();
                producerId = init.producerId();
                epoch = init.producerEpoch();
                for (int b = 0; b < BATCHES; b++) {
                    // Two records a batch: batch b holds sequences 2b and 2b + 1.
                    ByteBuffer batch = batch(producerId, epoch, 2 * b, "k0", "p-" + b, "k1", "p-" + b);
                    PartitionProduceResponse r = Raw.produce(c, TOPIC, 0, batch);
                    assertThat(r.errorCode()).as("batch %d", b).isZero();
                    sent.add(batch);
                    baseOffsets.add(r.baseOffset());
                }
                rollSegment();
                // Another (non-idempotent) writer overwrites every key the idempotent producer wrote.
                assertThat(Raw.produce(c, TOPIC, 0, batch(-1, (short) -1, -1, "k0", "later", "k1", "later"))
                        .errorCode()).isZero();
                rollSegment();
                // Seals the overwrite's segment: the active segment is never cleaned.
                assertThat(Raw.produce(c, TOPIC, 0, batch(-1, (short) -1, -1, "marker", "m")).errorCode()).isZero();
            }
            awaitOnlyTheOverwriteAndMarker(broker);
            assertThat(MetricsScrape.sum(MetricsScrape.text(broker), "sluice_log_cleaner_cleanings_total",
                    "topic=\"" + TOPIC + "\"")).isPositive();

            long lastBase = baseOffsets.get(BATCHES - 1);
            long endOffset;
            try (RawClient c = client(broker)) {
                endOffset = Raw.latestOffset(c, TOPIC, 0);
                assertDuplicate(c, sent.get(BATCHES - 1), lastBase);
                // Still in the producer's in-memory state (its last five batches), although cleaned away.
                assertDuplicate(c, sent.get(BATCHES - 2), baseOffsets.get(BATCHES - 2));
                assertThat(Raw.latestOffset(c, TOPIC, 0)).as("a duplicate appends nothing").isEqualTo(endOffset);
            }

            broker.restart(); // the producer state is rebuilt from the cleaned log
            try (RawClient c = client(broker)) {
                awaitLeader(c, sent.get(BATCHES - 1));
                assertDuplicate(c, sent.get(BATCHES - 1), lastBase);
                assertThat(Raw.latestOffset(c, TOPIC, 0)).isEqualTo(endOffset);
                PartitionProduceResponse next = Raw.produce(c, TOPIC, 0,
                        batch(producerId, epoch, 2 * BATCHES, "k2", "p-" + BATCHES));
                assertThat(next.errorCode()).as("the producer's next sequence").isZero();
                assertThat(next.baseOffset()).isEqualTo(endOffset);
                assertThat(Raw.latestOffset(c, TOPIC, 0)).isEqualTo(endOffset + 1);
            }
            Clients.ReadResult read = Clients.readToEnd(broker.bootstrap(), List.of(new TopicPartition(TOPIC, 0)),
                    Duration.ofSeconds(30));
            assertThat(read.complete()).isTrue();
            assertThat(keysAndValues(read.records()))
                    .containsExactly("k0=later", "k1=later", "marker=m", "k2=p-" + BATCHES);
            assertThat(BrokerProcess.errorsAndStackTraces(broker.log())).isEmpty();
        }
    }

    private static void assertDuplicate(RawClient c, ByteBuffer batch, long originalBaseOffset) throws IOException {
        PartitionProduceResponse r = Raw.produce(c, TOPIC, 0, batch);
        assertThat(r.errorCode()).as("a duplicate is acknowledged").isZero();
        assertThat(r.baseOffset()).as("with its original offset").isEqualTo(originalBaseOffset);
    }

    /**
     * Resends {@code duplicate} while the restarted broker does not lead the partition yet (as a client
     * retries NOT_LEADER_OR_FOLLOWER); resending a duplicate changes nothing.
     */
    private static void awaitLeader(RawClient c, ByteBuffer duplicate) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        short error;
        while ((error = Raw.produce(c, TOPIC, 0, duplicate).errorCode()) == Errors.NOT_LEADER_OR_FOLLOWER.code()
                || error == Errors.LEADER_NOT_AVAILABLE.code()) {
            assertThat(System.nanoTime()).as("the restarted broker leads %s within 30 s", TOPIC).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The cleaner has run when a full read holds only the overwrite and the marker. */
    private static void awaitOnlyTheOverwriteAndMarker(BrokerProcess broker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Clients.ReadResult read = Clients.readToEnd(broker.bootstrap(), List.of(new TopicPartition(TOPIC, 0)),
                    Duration.ofSeconds(30));
            List<String> records = keysAndValues(read.records());
            if (read.complete() && records.equals(List.of("k0=later", "k1=later", "marker=m"))) {
                return;
            }
            assertThat(System.nanoTime()).as("cleaned within 60 s; read %s", records).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static List<String> keysAndValues(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8) + "="
                + new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    /** One batch of keyed records ({@code key, value, key, value, ...}); idempotent when {@code producerId >= 0}. */
    private static ByteBuffer batch(long producerId, short epoch, int baseSequence, String... keysAndValues) {
        SimpleRecord[] records = new SimpleRecord[keysAndValues.length / 2];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), bytes(keysAndValues[2 * i]),
                    bytes(keysAndValues[2 * i + 1]));
        }
        MemoryRecords built = producerId < 0 ? MemoryRecords.withRecords(Compression.NONE, records)
                : MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence, records);
        return built.buffer();
    }

    /** The next append rolls a new segment (segment.ms). */
    private static void rollSegment() throws InterruptedException {
        Thread.sleep(SEGMENT_MS + 50);
    }

    private static RawClient client(BrokerProcess broker) throws IOException {
        return new RawClient(new InetSocketAddress("localhost", broker.clientPort()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
