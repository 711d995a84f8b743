package io.sluice.chaos.workload;

import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpType;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends unique values round-robin to the partitions of one topic at a fixed rate with a real
 * {@link KafkaProducer}, recording each send as invoke then ok/fail/info. Owns its thread and its
 * producer; {@link #stop} may be called from any thread.
 */
public final class ProducerWorker implements Runnable {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private final TopicSpec topic;
    private final String process;
    private final String node;
    private final String bootstrap;
    private final History history;
    private final long sendIntervalNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private long sent;

    public ProducerWorker(TopicSpec topic, String process, String node, String bootstrap, History history,
                          int sendsPerSecond) {
        this.topic = topic;
        this.process = process;
        this.node = node;
        this.bootstrap = bootstrap;
        this.history = history;
        this.sendIntervalNanos = 1_000_000_000L / Math.max(1, sendsPerSecond);
        this.thread = new Thread(this, "producer-" + process);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    static Properties config(String bootstrap, TopicSpec topic, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, topic.acks());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(topic.idempotent()));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.put("metadata.max.age.ms", "5000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    @Override
    public void run() {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config(bootstrap, topic, process))) {
            long next = System.nanoTime();
            while (running) {
                int partition = (int) (sent % topic.partitions());
                String value = process + "-" + sent++;
                history.invokeSend(process, node, topic.name(), partition, value);
                try {
                    producer.send(new ProducerRecord<>(topic.name(), partition, null, value), (md, e) -> {
                        if (e == null) {
                            // acks=0 gives no offset: the metadata says -1 and the checker treats it as unknown.
                            history.completeSend(OpType.OK, process, node, topic.name(), partition,
                                    md.hasOffset() ? md.offset() : -1, value, null);
                        } else {
                            history.completeSend(definite(e) ? OpType.FAIL : OpType.INFO, process, node,
                                    topic.name(), partition, -1, value, e.toString());
                        }
                    });
                } catch (RuntimeException e) {
                    // send() threw: the record never reached the accumulator, so it certainly was not written.
                    history.completeSend(OpType.FAIL, process, node, topic.name(), partition, -1, value, e.toString());
                }
                next += sendIntervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -1_000_000_000L) {
                    next = System.nanoTime(); // blocked (broker down): don't burst to catch up
                }
            }
            producer.close(CLOSE_TIMEOUT);
        }
    }

    /** Errors that mean the broker rejected the record outright on every attempt, so it was not written. */
    private static boolean definite(Exception e) {
        return e instanceof RecordTooLargeException || e instanceof InvalidTopicException
                || e instanceof AuthorizationException;
    }

    /** Stops sending, waits for every in-flight send to complete (or fail), then returns. */
    public void stop() throws InterruptedException {
        running = false;
        thread.join(CLOSE_TIMEOUT.toMillis() + 10_000);
    }

    public long sent() {
        return sent;
    }
}
