package io.sluice.bench.broker.workload;

import io.sluice.bench.broker.launch.BrokerStartException;
import io.sluice.bench.broker.launch.RunningCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Unavailability after kill -9 of a partition leader: per run, wait for a full ISR, kill the
 * leader's JVM (SIGKILL), and time from the kill to the next acknowledged acks=all send; then
 * restart the killed node on its directory. The same for both systems, on their default broker
 * settings. The probe's producer is connected (one send acknowledged) before the kill and is told to
 * notice a leader change quickly (metadata at most 100 ms old, 20–100 ms retry back-off, 2 s per
 * attempt: the client settings of the kcat probe this replaces), so the figure is the brokers'
 * detection and election, not the client's back-off. Stateless; {@link #run} owns its producer.
 */
public final class FailoverLoad {
    private static final Duration FULL_ISR_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    /** A cluster that takes longer than this to take writes again counts as a failed run. */
    private static final Duration UNAVAILABLE_MAX = Duration.ofSeconds(120);
    private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(5);
    private static final int PARTITION = 0;
    private static final int WARM_SEND_ATTEMPTS_MAX = 5;

    private FailoverLoad() {
    }

    /** The probe's client settings over the run's producer configs: quick to see a new leader. */
    static Properties probeProps(LoadContext ctx) {
        Properties props = ctx.producerProps("all", 0);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-bench-failover");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 100);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20);
        props.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 100);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1500);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2000);
        return props;
    }

    /** {@code runs} kills on {@code topic} (one partition, replicated on every node, created by the caller). */
    public static FailoverResult run(LoadContext ctx, RunningCluster cluster, String topic, int runs)
            throws InterruptedException {
        List<FailoverResult.Run> done = new ArrayList<>();
        byte[] value = ProduceLoad.payload();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(probeProps(ctx))) {
            for (int run = 1; run <= runs; run++) {
                ctx.live().phase("failover " + run + "/" + runs + ": wait for a full ISR", 0);
                int leader = awaitFullIsr(ctx, topic, cluster.layout().nodes());
                // Connected to the leader and acknowledged once: the clock then measures the failover only.
                for (int attempt = 1; ; attempt++) {
                    try {
                        producer.send(new ProducerRecord<>(topic, PARTITION, null, value))
                                .get(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        break;
                    } catch (ExecutionException | TimeoutException e) {
                        if (attempt >= WARM_SEND_ATTEMPTS_MAX) {
                            throw e;
                        }
                    }
                }
                ctx.live().phase("failover " + run + "/" + runs + ": kill -9 node " + leader, 0);
                Instant killedAt = Instant.now();
                long killNs = System.nanoTime();
                cluster.kill(leader);
                long deadline = killNs + UNAVAILABLE_MAX.toNanos();
                int attempts = 0;
                String firstError = null;
                long ackNs = -1;
                while (ackNs < 0 && System.nanoTime() < deadline) {
                    attempts++;
                    try {
                        producer.send(new ProducerRecord<>(topic, PARTITION, null, value))
                                .get(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        ackNs = System.nanoTime();
                    } catch (ExecutionException | TimeoutException e) {
                        if (firstError == null) {
                            firstError = (e.getCause() != null ? e.getCause() : e).toString();
                        }
                        Thread.sleep(10);
                    }
                }
                if (ackNs < 0) {
                    return new FailoverResult(ctx.broker(), ctx.rep(), done, "run " + run + ": no acks=all send "
                            + "acknowledged " + UNAVAILABLE_MAX.toSeconds() + " s after killing node " + leader
                            + " (first error: " + firstError + ")");
                }
                int newLeader = leaderOrNone(ctx, topic);
                done.add(new FailoverResult.Run(killedAt.toString(), leader, newLeader, (ackNs - killNs) / 1_000_000, attempts, firstError));
                ctx.live().phase("failover " + run + "/" + runs + ": restart node " + leader, 0);
                cluster.restart(leader, RESTART_TIMEOUT);
            }
            // The restarted node rejoins before the cluster is stopped: the last run leaves it as it found it.
            awaitFullIsr(ctx, topic, cluster.layout().nodes());
        } catch (BrokerStartException | ExecutionException | TimeoutException | RuntimeException e) {
            return new FailoverResult(ctx.broker(), ctx.rep(), done, "run " + (done.size() + 1) + ": " + e);
        }
        return new FailoverResult(ctx.broker(), ctx.rep(), done, null);
    }

    /** Waits until the partition's ISR holds every replica; returns its leader. */
    private static int awaitFullIsr(LoadContext ctx, String topic, int replicas)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + FULL_ISR_TIMEOUT.toNanos();
        String last = "not described";
        while (System.nanoTime() < deadline) {
            try {
                TopicPartitionInfo partition = describe(ctx, topic);
                if (partition.leader() != null && !partition.leader().isEmpty() && partition.isr().size() >= replicas) {
                    return partition.leader().id();
                }
                last = "leader " + partition.leader() + ", ISR " + partition.isr();
            } catch (ExecutionException | TimeoutException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new TimeoutException("no full ISR on " + topic + " after " + FULL_ISR_TIMEOUT.toSeconds() + " s (" + last + ")");
    }

    private static int leaderOrNone(LoadContext ctx, String topic) throws InterruptedException {
        try {
            TopicPartitionInfo partition = describe(ctx, topic);
            return partition.leader() == null || partition.leader().isEmpty() ? -1 : partition.leader().id();
        } catch (ExecutionException | TimeoutException e) {
            return -1;
        }
    }

    private static TopicPartitionInfo describe(LoadContext ctx, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        TopicDescription description = ctx.admin().describeTopics(List.of(topic)).allTopicNames()
                .get(DESCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        return description.partitions().get(PARTITION);
    }
}
