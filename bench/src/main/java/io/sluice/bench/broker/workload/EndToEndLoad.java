package io.sluice.bench.broker.workload;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * End-to-end latency at a fixed rate: record i is due at {@code start + i / rate}; the producer
 * sends it then, or at once if it is late, and the record carries its due time. The consumer
 * measures {@code receive time - due time}: a stall anywhere (client, broker, network) shows up in
 * every record that waited behind it, so the percentiles are corrected for coordinated omission.
 * Producer and consumer share this JVM's {@link System#nanoTime} clock.
 * Stateless; {@link #run} owns its two clients and the consumer thread.
 */
public final class EndToEndLoad {
    /** After the last send, how long to wait for the consumer to see every record. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);
    /** A producer this far behind its schedule at the end of the window gives up. */
    private static final Duration LATE_MAX = Duration.ofSeconds(30);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private EndToEndLoad() {
    }

    public static LoadResult run(LoadContext ctx, Workload workload, String topic) throws InterruptedException {
        long warmupNs = ctx.settings().warmup().toNanos();
        long durationNs = ctx.settings().duration().toNanos();
        double intervalNs = 1e9 / workload.ratePerSec();
        AtomicLong sentInWindow = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        MeasureWindow window = new MeasureWindow(ctx.pids());
        Receiver receiver;
        try {
            receiver = new Receiver(ctx, topic);
        } catch (RuntimeException e) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "consumer: " + e);
        }
        Thread consumerThread = new Thread(receiver, "e2e-consumer");
        consumerThread.setDaemon(true);
        long start = System.nanoTime();
        long windowStart = start + warmupNs;
        long windowEnd = windowStart + durationNs;
        receiver.window(windowStart, windowEnd);
        consumerThread.start();
        ctx.live().phase("warmup", warmupNs);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ctx.producerProps(workload.acks(), workload.batchBytes()))) {
            boolean open = false;
            for (long i = 0; ; i++) {
                long dueNs = start + (long) (i * intervalNs);
                if (dueNs >= windowEnd || System.nanoTime() - windowEnd > LATE_MAX.toNanos()) {
                    break;
                }
                long now = System.nanoTime();
                while (now < dueNs) {
                    LockSupport.parkNanos(dueNs - now);
                    now = System.nanoTime();
                }
                if (!open && dueNs >= windowStart) {
                    window.open();
                    ctx.live().phase("measure", durationNs);
                    open = true;
                }
                byte[] value = new byte[Workload.RECORD_BYTES];
                ByteBuffer.wrap(value).putLong(dueNs);
                if (dueNs >= windowStart) {
                    sentInWindow.incrementAndGet();
                }
                producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                    if (exception != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, exception);
                    }
                });
            }
            producer.flush();
            window.close();
        } catch (RuntimeException e) {
            receiver.stop();
            consumerThread.join(DRAIN_TIMEOUT.toMillis());
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "producer: " + e);
        }
        ctx.live().phase("drain", 0);
        receiver.awaitCount(sentInWindow.get() - failed.get(), DRAIN_TIMEOUT);
        receiver.stop();
        consumerThread.join(DRAIN_TIMEOUT.toMillis());
        if (receiver.failure() != null) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "consumer: " + receiver.failure());
        }
        Histogram latency = receiver.histogram();
        long received = latency.getTotalCount();
        long unseen = Math.max(0, sentInWindow.get() - received);
        String error = received == 0 ? "no record received end to end" + (firstFailure.get() == null ? "" : ": " + firstFailure.get()) : null;
        return window.result(workload, ctx.broker(), ctx.rep(), received, received * Workload.RECORD_BYTES,
                durationNs / 1e9, LatencySummary.of(latency), unseen, error);
    }

    /** The consumer side; its histogram is read by the producer thread after {@link #stop} and join. */
    private static final class Receiver implements Runnable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final LiveStats live;
        private final Histogram latencyMicros = LatencySummary.newHistogram();
        private final AtomicLong receivedInWindow = new AtomicLong();
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile boolean running = true;
        private volatile Exception failure;
        private long windowStart;
        private long windowEnd;

        Receiver(LoadContext ctx, String topic) {
            this.live = ctx.live();
            this.consumer = new KafkaConsumer<>(ctx.consumerProps());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // Resolve the end offsets now, before the first record is due, not lazily in the first poll.
            partitions.forEach(consumer::position);
        }

        void window(long start, long end) {
            windowStart = start;
            windowEnd = end;
        }

        @Override
        public void run() {
            try {
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                        long now = System.nanoTime();
                        long dueNs = ByteBuffer.wrap(record.value()).getLong();
                        if (dueNs >= windowStart && dueNs < windowEnd) {
                            latencyMicros.recordValue(Math.max(0, now - dueNs) / 1000);
                            receivedInWindow.incrementAndGet();
                        }
                        live.addRecords(1);
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                consumer.close(Duration.ofSeconds(5));
                stopped.countDown();
            }
        }

        void awaitCount(long expected, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (receivedInWindow.get() < expected && System.nanoTime() < deadline && failure == null
                    && stopped.getCount() > 0) {
                Thread.sleep(10);
            }
        }

        void stop() throws InterruptedException {
            running = false;
            stopped.await(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        Exception failure() {
            return failure;
        }

        Histogram histogram() {
            return latencyMicros;
        }
    }
}
