package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Describes a topic through the Admin API every {@code pollInterval} (what any broker tells any
 * client: Metadata / DescribeTopicPartitions) and feeds the ISRs to an {@link IsrShrinkCounter}.
 * The same observer for both systems. Runs on its own daemon thread between {@link #start} and
 * {@link #stop}; the counter is read after {@link #stop} (which joins the thread).
 */
public final class IsrWatcher implements Runnable {
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final String topic;
    private final Duration pollInterval;
    private final IsrShrinkCounter counter = new IsrShrinkCounter();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int errors;
    private long startNs;

    public IsrWatcher(Admin admin, String topic, Duration pollInterval) {
        this.admin = admin;
        this.topic = topic;
        this.pollInterval = pollInterval;
        this.thread = new Thread(this, "isr-watcher");
        thread.setDaemon(true);
    }

    public void start() {
        startNs = System.nanoTime();
        thread.start();
    }

    @Override
    public void run() {
        while (running) {
            long next = System.nanoTime() + pollInterval.toNanos();
            poll();
            long sleepMs = (next - System.nanoTime()) / 1_000_000;
            if (sleepMs > 0) {
                try {
                    Thread.sleep(sleepMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Stops polling after one last observation, and returns the counter. */
    public IsrShrinkCounter stop() throws InterruptedException {
        running = false;
        thread.join(DESCRIBE_TIMEOUT.toMillis() + pollInterval.toMillis() + 1000);
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(DESCRIBE_TIMEOUT.toMillis());
        } else {
            poll();
        }
        return counter;
    }

    /** Describe calls that failed or timed out (those observations are missing). */
    public int errors() {
        return errors;
    }

    private void poll() {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(DESCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            counter.observe((System.nanoTime() - startNs) / 1_000_000, isrByPartition(description));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            errors++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<Integer, Set<Integer>> isrByPartition(TopicDescription description) {
        Map<Integer, Set<Integer>> isr = new HashMap<>();
        for (TopicPartitionInfo partition : description.partitions()) {
            Set<Integer> ids = new HashSet<>();
            for (Node node : partition.isr()) {
                ids.add(node.id());
            }
            isr.put(partition.partition(), ids);
        }
        return isr;
    }
}
