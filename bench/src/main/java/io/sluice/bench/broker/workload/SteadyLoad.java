package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * ISR stability: one producer at a fixed rate (acks=all, 1 KiB records) for a steady run, while an
 * {@link IsrWatcher} describes the topic's ISRs; the result counts the shrinks. Record i is due at
 * {@code start + i / rate}; a late producer sends at once and catches up, and gives up when it is
 * far behind. Stateless; {@link #run} owns its producer and the watcher.
 */
public final class SteadyLoad {
    /** A producer this far behind its schedule stops (the machine cannot sustain the rate). */
    private static final Duration LATE_MAX = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private SteadyLoad() {
    }

    public static IsrResult run(LoadContext ctx, String topic, int partitions, double ratePerSec, Duration duration,
                                Duration pollInterval) throws InterruptedException {
        if (!(ratePerSec > 0)) {
            return IsrResult.failed(ctx.broker(), ctx.rep(), partitions, ratePerSec, "no rate to run at");
        }
        byte[] value = ProduceLoad.payload();
        double intervalNs = 1e9 / ratePerSec;
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        MeasureWindow window = new MeasureWindow(ctx.pids());
        IsrWatcher watcher = new IsrWatcher(ctx.admin(), topic, pollInterval);
        ctx.live().phase("steady", duration.toNanos());
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        watcher.start();
        window.open();
        String error = null;
        long sentUntilNs = end;
        IsrShrinkCounter isr;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ctx.producerProps("all", 0))) {
            for (long i = 0; ; i++) {
                long dueNs = start + (long) (i * intervalNs);
                if (dueNs >= end) {
                    break;
                }
                long now = System.nanoTime();
                if (now - dueNs > LATE_MAX.toNanos()) {
                    error = String.format("producer fell %d s behind the rate of %.0f/s", LATE_MAX.toSeconds(), ratePerSec);
                    break;
                }
                while (now < dueNs) {
                    LockSupport.parkNanos(dueNs - now);
                    now = System.nanoTime();
                }
                producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                    if (exception != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, exception);
                    } else {
                        acked.incrementAndGet();
                    }
                    ctx.live().addRecords(1);
                });
            }
            producer.flush();
            sentUntilNs = System.nanoTime();
            window.close();
            ctx.live().phase("drain", 0);
            producer.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            error = "producer: " + e;
        } finally {
            // Watched over the whole run and the drain: a shrink while acks were outstanding counts.
            isr = watcher.stop();
        }
        double seconds = (sentUntilNs - start) / 1e9;
        if (error == null && acked.get() == 0) {
            error = "no record acknowledged" + (firstFailure.get() == null ? "" : ": " + firstFailure.get());
        }
        return new IsrResult(ctx.broker(), ctx.rep(), partitions, ratePerSec, acked.get() / seconds, seconds,
                acked.get(), failed.get(), isr.observations(), watcher.errors(), isr.shrinks(), isr.expands(),
                isr.minIsrSize(), isr.events(), window.cpuSeconds(), window.peakRssBytes(), window.otherCores(), error);
    }
}
