package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Producer throughput: one producer thread sends 1 KiB records as fast as the client lets it (its
 * buffer bounds what is in flight), like kafka-producer-perf-test with {@code --throughput -1}.
 * Counts the records acknowledged inside the measured window after the warmup, and their send→ack
 * latency. Stateless; {@link #run} owns its producer.
 */
public final class ProduceLoad {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private ProduceLoad() {
    }

    /** 1 KiB of random bytes: incompressible, the same bytes for every record and both brokers. */
    public static byte[] payload() {
        byte[] value = new byte[Workload.RECORD_BYTES];
        new Random(42).nextBytes(value);
        return value;
    }

    public static LoadResult run(LoadContext ctx, Workload workload, String topic) throws InterruptedException {
        byte[] value = payload();
        Recorder latencyMicros = new Recorder(3_600_000_000L, 3);
        AtomicLong acked = new AtomicLong();
        AtomicLong ackedTotal = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        MeasureWindow window = new MeasureWindow(ctx.pids());
        long warmupNs = ctx.settings().warmup().toNanos();
        long durationNs = ctx.settings().duration().toNanos();
        long start = System.nanoTime();
        long windowStart = start + warmupNs;
        long windowEnd = windowStart + durationNs;
        ctx.live().phase("warmup", warmupNs);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ctx.producerProps(workload.acks(), workload.batchBytes()))) {
            boolean open = false;
            long now = System.nanoTime();
            while (now < windowEnd) {
                if (!open && now >= windowStart) {
                    window.open();
                    latencyMicros.reset();
                    ctx.live().phase("measure", durationNs);
                    open = true;
                }
                long sentNs = now;
                producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                    long ackNs = System.nanoTime();
                    if (exception != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, exception);
                    } else {
                        ackedTotal.incrementAndGet();
                        if (ackNs >= windowStart && ackNs < windowEnd) {
                            acked.incrementAndGet();
                            latencyMicros.recordValue((ackNs - sentNs) / 1000);
                        }
                    }
                    ctx.live().addRecords(1);
                });
                now = System.nanoTime();
            }
            window.close();
            ctx.live().phase("drain", 0);
            // Outstanding records are acknowledged (or not) during close, outside the window.
            producer.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "producer: " + e);
        }
        long records = acked.get();
        String error = null;
        if (records == 0) {
            Exception cause = firstFailure.get();
            error = "no record acknowledged in the window" + (cause == null ? "" : ": " + cause);
        } else {
            error = Topics.checkEndOffsets(ctx.admin(), topic, workload.partitions(), ackedTotal.get());
        }
        return window.result(workload, ctx.broker(), ctx.rep(), records, records * Workload.RECORD_BYTES,
                durationNs / 1e9, LatencySummary.of(latencyMicros.getIntervalHistogram()), failed.get(), error);
    }
}
