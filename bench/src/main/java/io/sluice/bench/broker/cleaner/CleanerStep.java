package io.sluice.bench.broker.cleaner;

import io.sluice.bench.broker.launch.PageCache;
import io.sluice.bench.broker.workload.LatencySummary;
import io.sluice.bench.broker.workload.LoadContext;
import io.sluice.bench.broker.workload.MeasureWindow;
import io.sluice.bench.broker.workload.ProduceLoad;
import io.sluice.bench.broker.workload.Replication;
import io.sluice.bench.broker.workload.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;

/**
 * The log cleaner, measured from outside the broker:
 * <ol>
 *   <li>a one-partition topic with {@code cleanup.policy=compact} and
 *       {@code min.cleanable.dirty.ratio=1} (a log is cleaned when its dirty ratio is
 *       <em>above</em> it: never) is written with {@link CompactedData} (acks=1);</li>
 *   <li>a producer at a fixed rate runs on another topic: warm-up, then the window without
 *       cleaning;</li>
 *   <li>the ratio is set to 0.01 (IncrementalAlterConfigs), and the harness polls the broker's
 *       {@code cleaner-offset-checkpoint} until the partition's first dirty offset reaches the
 *       active segment: the whole dirty section is cleaned. The producer's window while
 *       cleaning is that span.</li>
 * </ol>
 * Stateless; {@link #run} owns its producers and deletes its topics.
 */
public final class CleanerStep {
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    private static final long POLL_MS = 20;
    private static final String ACKS = "1";
    /** A cleaned log keeps one record a key; more than this share of the dirty bytes left means no real cleaning. */
    private static final double LEFT_SHARE_MAX = 0.5;

    private CleanerStep() {
    }

    /**
     * @param logDir the broker's {@code log.dirs}, which the harness created
     */
    public static CleanerResult run(LoadContext ctx, LogDirView logDir, CleanerPlan plan) throws InterruptedException {
        String compacted = "bench-cleaner-log-r" + ctx.rep();
        String load = "bench-cleaner-produce-r" + ctx.rep();
        try {
            return measure(ctx, logDir, plan, compacted, load);
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            return CleanerResult.failed(ctx.broker(), ctx.rep(), e.toString());
        } finally {
            ctx.live().phase("delete topics", 0);
            Topics.delete(ctx.admin(), compacted);
            Topics.delete(ctx.admin(), load);
        }
    }

    private static CleanerResult measure(LoadContext ctx, LogDirView logDir, CleanerPlan plan, String compacted,
                                         String load) throws ExecutionException, TimeoutException, IOException,
            InterruptedException {
        ctx.live().phase("settle page cache", 0);
        PageCache.settle();
        ctx.live().phase("create compacted topic", 0);
        ctx.admin().createTopics(List.of(new NewTopic(compacted, 1, (short) 1).configs(Map.of(
                "cleanup.policy", "compact", "min.cleanable.dirty.ratio", "1",
                "segment.bytes", Integer.toString(plan.segmentBytes())))))
                .all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        CompactedData data = new CompactedData(
                CompactedData.recordsFor(plan.dataBytes(), plan.writesPerKey(), ProduceLoad.payload().length),
                plan.writesPerKey(), ProduceLoad.payload().length, plan.seed());
        long writeStart = System.nanoTime();
        String writeError = write(ctx, compacted, data);
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        if (writeError != null) {
            return CleanerResult.failed(ctx.broker(), ctx.rep(), writeError);
        }
        // The written gigabyte's writeback must not fall into either latency window.
        ctx.live().phase("settle page cache", 0);
        PageCache.settle();
        LogDirView.Segments before = logDir.segments(compacted, 0);
        if (before.count() < 2) {
            return CleanerResult.failed(ctx.broker(), ctx.rep(), "the compacted log has " + before.count()
                    + " segment(s): nothing below the active one to clean");
        }

        ctx.live().phase("create load topic", 0);
        Topics.create(ctx.admin(), load, plan.loadPartitions(), Replication.NONE);
        Topics.awaitWritable(ctx, load, plan.loadPartitions(), ProduceLoad.payload());
        RateProducer producer = new RateProducer(ctx, load, ACKS, plan.ratePerSec());
        MeasureWindow window = new MeasureWindow(ctx.pids());
        producer.start();
        ctx.live().phase("warmup", plan.warmup().toNanos());
        Thread.sleep(plan.warmup().toMillis());
        long withoutFrom = System.nanoTime();
        ctx.live().phase("p99 without cleaning", plan.baseline().toNanos());
        Thread.sleep(plan.baseline().toMillis());

        ctx.live().phase("cleaning", 0);
        long triggered = System.nanoTime();
        window.open();
        ctx.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, compacted),
                List.of(new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "0.01"), AlterConfigOp.OpType.SET))))
                .all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long deadline = triggered + plan.cleaningTimeout().toNanos();
        long target = before.activeBaseOffset();
        OptionalLong checkpoint = OptionalLong.empty();
        while (System.nanoTime() < deadline && producer.error() == null) {
            checkpoint = logDir.cleanerCheckpoint(compacted, 0);
            if (checkpoint.isPresent() && checkpoint.getAsLong() >= target) {
                break;
            }
            Thread.sleep(POLL_MS);
        }
        long cleaned = System.nanoTime();
        window.close();
        producer.stop();
        LatencySummary without = producer.window(withoutFrom, triggered);
        LatencySummary during = producer.window(triggered, cleaned);

        double cleanSeconds = (cleaned - triggered) / 1e9;
        long bytesAfter = logDir.segments(compacted, 0).sealedBytes();
        String error = producer.error();
        if (checkpoint.isEmpty() || checkpoint.getAsLong() < target) {
            error = "the cleaner's checkpoint did not reach the active segment (offset " + target + ") in "
                    + plan.cleaningTimeout().toSeconds() + " s: " + (checkpoint.isEmpty() ? "none" : checkpoint.getAsLong());
        } else if (bytesAfter > before.sealedBytes() * LEFT_SHARE_MAX) {
            error = "the checkpoint reached the active segment but " + bytesAfter + " of " + before.sealedBytes()
                    + " bytes are left: not cleaned";
        }
        return new CleanerResult(ctx.broker(), ctx.rep(), data.records(), data.keys(), writeSeconds,
                before.sealedBytes(), before.count() - 1, cleanSeconds,
                before.sealedBytes() / 1048576.0 / cleanSeconds, bytesAfter, window.cpuSeconds(), window.otherCores(),
                plan.ratePerSec(), without, during, producer.failed(), error);
    }

    /** Writes every record of {@code data} to partition 0 (acks=1, 64 KiB batches); null, or why not all were acknowledged. */
    private static String write(LoadContext ctx, String topic, CompactedData data) throws InterruptedException {
        ctx.live().phase("write " + data.records() + " records", 0);
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        var props = ctx.producerProps(ACKS, 65_536);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            while (data.hasNext() && firstFailure.get() == null) {
                byte[] key = CompactedData.keyBytes(data.nextKey());
                producer.send(new ProducerRecord<>(topic, 0, key, data.value()), (metadata, exception) -> {
                    if (exception != null) {
                        firstFailure.compareAndSet(null, exception);
                    } else {
                        acked.incrementAndGet();
                    }
                    ctx.live().addRecords(1);
                });
            }
            producer.close(CLOSE_TIMEOUT);
        }
        if (firstFailure.get() != null || acked.get() != data.records()) {
            return "writing the compacted topic: " + acked.get() + " of " + data.records() + " records acknowledged"
                    + (firstFailure.get() == null ? "" : ", first failure " + firstFailure.get());
        }
        return null;
    }
}
