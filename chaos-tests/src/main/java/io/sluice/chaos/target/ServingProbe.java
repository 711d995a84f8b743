package io.sluice.chaos.target;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Decides that a broker "serves": it answers a cluster description, and, once the probe topic
 * exists, acknowledges an acks=all produce to it — through the same proxy the workload uses.
 * Stateless; each call builds its own short-lived clients.
 */
public final class ServingProbe {
    public static final String PROBE_TOPIC = "chaos-probe";

    private ServingProbe() { }

    static Properties adminConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        return p;
    }

    public static Admin admin(String bootstrap) {
        return Admin.create(adminConfig(bootstrap));
    }

    /**
     * Polls until the broker serves or {@code timeout} passes.
     *
     * @return milliseconds from the call until it served
     * @throws IllegalStateException naming the last error if it never did
     */
    public static long awaitServing(BrokerNode node, boolean produce, Duration timeout) {
        return awaitServing(node.name(), node.bootstrap(), () -> node.alive() ? null : node.outputFile().toString(),
                produce, 1, timeout);
    }

    /**
     * Polls until every node of the cluster runs, the cluster describes all of them (a fenced or
     * unregistered broker is not listed), and, if {@code produce}, an acks=all produce through
     * any node's proxy is acknowledged.
     */
    public static long awaitServing(Cluster cluster, boolean produce, Duration timeout) {
        return awaitServing(cluster.name(), cluster.bootstrap(), () -> cluster.nodes().stream()
                .filter(n -> !n.alive()).map(n -> n.name() + " (see " + n.outputFile() + ")").findFirst()
                .orElse(null), produce, cluster.size(), timeout);
    }

    /**
     * @param deadNode      null while every process runs, else which one does not (stops the wait)
     * @param brokersMin    describeCluster must list at least this many brokers
     */
    private static long awaitServing(String who, String bootstrap, Supplier<String> deadNode, boolean produce,
                                     int brokersMin, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Throwable last = null;
        try (Admin admin = admin(bootstrap)) {
            while (System.nanoTime() < deadline) {
                String dead = deadNode.get();
                if (dead != null) {
                    throw new IllegalStateException(who + " is not running: " + dead);
                }
                try {
                    int brokers = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size();
                    if (brokers < brokersMin) {
                        throw new IllegalStateException("describeCluster lists " + brokers + " of " + brokersMin
                                + " brokers");
                    }
                    if (produce) {
                        produceOne(bootstrap);
                    }
                    return (System.nanoTime() - start) / 1_000_000;
                } catch (Exception e) {
                    last = e;
                    sleep(100);
                }
            }
        }
        throw new IllegalStateException(who + " did not serve within " + timeout + ": " + last, last);
    }

    private static void produceOne(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(PROBE_TOPIC, 0, null, "probe")).get(6, TimeUnit.SECONDS);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }
}
