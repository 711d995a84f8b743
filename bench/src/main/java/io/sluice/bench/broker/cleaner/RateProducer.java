package io.sluice.bench.broker.cleaner;

import io.sluice.bench.broker.workload.LatencySummary;
import io.sluice.bench.broker.workload.LoadContext;
import io.sluice.bench.broker.workload.ProduceLoad;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A producer at a fixed rate (1 KiB records, the given acks) on its own thread, until stopped.
 * Record i is due at {@code start + i / rate}; its latency is ack − due (corrected for coordinated
 * omission, as the e2e workload: a stall delays every record queued behind it). Every record's
 * due time and latency are kept, so the caller can cut the run into windows afterwards (before
 * cleaning, while cleaning) without racing the acknowledgements.
 *
 * <p>Owned by the cleaner step's thread: {@link #start}, then {@link #stop}, then the windows.
 * The acknowledgement callbacks append under this object's lock.
 */
final class RateProducer {
    /** A producer this far behind its schedule stops: the machine cannot sustain the rate. */
    private static final Duration LATE_MAX = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** At most this many acknowledgements are kept (16 bytes each): 10 minutes at 20,000/s. */
    private static final int KEPT_MAX = 12_000_000;

    private final LoadContext ctx;
    private final String topic;
    private final String acks;
    private final double ratePerSec;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> error = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopping;
    private long[] dueNs = new long[1 << 16];
    private long[] latencyNs = new long[1 << 16];
    private int kept;

    RateProducer(LoadContext ctx, String topic, String acks, double ratePerSec) {
        this.ctx = ctx;
        this.topic = topic;
        this.acks = acks;
        this.ratePerSec = ratePerSec;
        this.thread = new Thread(this::produce, "bench-rate-producer");
    }

    void start() {
        thread.start();
    }

    /** Stops sending and waits for the outstanding acknowledgements (bounded by the producer's close). */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join();
    }

    /** Why the load stopped early or failed, or null. */
    String error() {
        return error.get();
    }

    long failed() {
        return failed.get();
    }

    /** Latencies (µs) of the records due in [fromNs, toNs) that were acknowledged. */
    synchronized LatencySummary window(long fromNs, long toNs) {
        Histogram micros = LatencySummary.newHistogram();
        for (int i = 0; i < kept; i++) {
            if (dueNs[i] >= fromNs && dueNs[i] < toNs) {
                micros.recordValue(Math.max(0, latencyNs[i] / 1000));
            }
        }
        return LatencySummary.of(micros);
    }

    private synchronized void keep(long due, long latency) {
        if (kept == KEPT_MAX) {
            return;
        }
        if (kept == dueNs.length) {
            int grown = Math.min(KEPT_MAX, kept * 2);
            dueNs = Arrays.copyOf(dueNs, grown);
            latencyNs = Arrays.copyOf(latencyNs, grown);
        }
        dueNs[kept] = due;
        latencyNs[kept] = latency;
        kept++;
    }

    private void produce() {
        byte[] value = ProduceLoad.payload();
        double intervalNs = 1e9 / ratePerSec;
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ctx.producerProps(acks, 0))) {
            for (long i = 0; !stopping; i++) {
                long due = start + (long) (i * intervalNs);
                long now = System.nanoTime();
                if (now - due > LATE_MAX.toNanos()) {
                    error.compareAndSet(null, String.format("producer fell %d s behind the rate of %.0f/s",
                            LATE_MAX.toSeconds(), ratePerSec));
                    break;
                }
                while (now < due && !stopping) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
                producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                    if (exception != null) {
                        failed.incrementAndGet();
                        error.compareAndSet(null, "send failed: " + exception);
                    } else {
                        keep(due, System.nanoTime() - due);
                    }
                    ctx.live().addRecords(1);
                });
            }
            producer.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            error.compareAndSet(null, "producer: " + e);
        }
    }
}
