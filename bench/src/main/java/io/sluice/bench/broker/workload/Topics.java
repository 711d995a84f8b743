package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;

/** Creates and deletes the workloads' topics through the Admin API. Stateless. */
public final class Topics {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Topics() {
    }

    /** Creates {@code topic} (replication factor 1) and waits until every partition has a leader. */
    public static void create(Admin admin, String topic, int partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                List<TopicPartitionInfo> infos = described.get(topic).partitions();
                if (infos.size() == partitions && infos.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topic + " have no leader after " + TIMEOUT.toSeconds() + " s");
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
