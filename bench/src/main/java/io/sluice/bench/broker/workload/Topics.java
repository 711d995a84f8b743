package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/** Creates and deletes the workloads' topics through the Admin API. Stateless. */
public final class Topics {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How long replicated end offsets (high watermarks) may take to reach what was acknowledged. */
    private static final Duration END_OFFSETS_SETTLE = Duration.ofSeconds(10);

    private Topics() {
    }

    /**
     * Creates {@code topic} replicated as {@code replication} says and waits until every partition
     * has a leader and a full ISR (every replica in sync), so a workload starts on a settled topic.
     */
    public static void create(Admin admin, String topic, int partitions, Replication replication)
            throws ExecutionException, InterruptedException, TimeoutException {
        admin.createTopics(List.of(new NewTopic(topic, partitions, replication.factor())
                .configs(replication.topicConfigs()))).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                List<TopicPartitionInfo> infos = described.get(topic).partitions();
                if (infos.size() == partitions && infos.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()
                        && p.isr().size() >= replication.factor())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topic + " have no leader or no full ISR after " + TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Writes one record to each partition and waits for each acknowledgement (acks=all, the
     * client retrying as usual). A broker may list a leader before that leader accepts writes
     * (Kafka: the metadata cache runs ahead of the replica manager): without this, the first
     * seconds of a workload would measure the broker settling its new topic, not its data path.
     *
     * @return the number of records written (= partitions)
     */
    public static int awaitWritable(LoadContext ctx, String topic, int partitions, byte[] value)
            throws ExecutionException, InterruptedException, TimeoutException {
        Properties props = ctx.producerProps("all", 0);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                acks.add(producer.send(new ProducerRecord<>(topic, partition, null, value)));
            }
            for (var ack : acks) {
                ack.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
        return partitions;
    }

    /**
     * A broker must not acknowledge what it did not append: the topic's end offsets must add up to
     * at least the records acknowledged (plus the one {@link #awaitWritable} wrote per partition).
     * The end offset a client sees is the high watermark: on a replicated topic written with acks=1
     * it may trail the acknowledged records until the followers have fetched them, so a shortfall
     * is asked again for up to {@code END_OFFSETS_SETTLE} before it counts.
     *
     * @return null if they do, else the discrepancy (the workload's result is then an error)
     */
    public static String checkEndOffsets(Admin admin, String topic, int partitions, long acknowledged)
            throws InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        long expected = acknowledged + partitions;
        long deadline = System.nanoTime() + END_OFFSETS_SETTLE.toNanos();
        try {
            while (true) {
                long sum = admin.listOffsets(latest).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).values().stream()
                        .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
                if (sum >= expected) {
                    return null;
                }
                if (System.nanoTime() > deadline) {
                    return "broker acknowledged " + expected + " records but its end offsets add up to " + sum
                            + " (" + END_OFFSETS_SETTLE.toSeconds() + " s later)";
                }
                Thread.sleep(200);
            }
        } catch (ExecutionException | TimeoutException e) {
            return "cannot list end offsets of " + topic + ": " + e;
        }
    }

    /**
     * Deletes {@code topic} so that its data does not pile up over a run; best effort (a broker
     * without DeleteTopics keeps the data until its directory is removed after its repetition).
     *
     * @return null if deleted, else why not
     */
    public static String delete(Admin admin, String topic) throws InterruptedException {
        try {
            admin.deleteTopics(List.of(topic)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return e.getCause() == null ? e.toString() : e.getCause().toString();
        }
    }
}
