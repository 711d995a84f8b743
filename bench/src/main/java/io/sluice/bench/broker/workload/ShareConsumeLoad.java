package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Share-group consume throughput (KIP-932): writes {@code consumeBytes} of 1 KiB records to a
 * one-partition topic, sets the new group's {@code share.auto.offset.reset=earliest} (with the Admin
 * client, as {@code kafka-configs --entity-type groups} does), then {@code consumers}
 * KafkaShareConsumers of that group, each on its own thread with the client's defaults (implicit
 * acknowledgement), read until all records were delivered. The window runs from the consumers'
 * start to the last record. Stateless; {@link #run} owns its clients.
 */
public final class ShareConsumeLoad {
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    private ShareConsumeLoad() {
    }

    public static LoadResult run(LoadContext ctx, Workload workload, String topic) {
        long written = Math.max(1, ctx.settings().consumeBytes() / Workload.RECORD_BYTES);
        String writeError = ConsumeLoad.prewrite(ctx, workload, topic, written);
        if (writeError != null) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), writeError);
        }
        // The harness wrote one record per partition before (Topics.awaitWritable): read that too.
        long target = written + workload.partitions();
        String group = topic;
        try {
            ctx.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group),
                    List.of(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "set share.auto.offset.reset: " + e);
        }
        AtomicLong records = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> consumers = new ArrayList<>();
        MeasureWindow window = new MeasureWindow(ctx.pids());
        ctx.live().phase("measure", 0);
        window.open();
        long startNs = System.nanoTime();
        long endNs;
        try {
            for (int i = 0; i < workload.consumers(); i++) {
                Thread t = new Thread(() -> consume(props(ctx, group), topic, running, records, bytes, ctx.live(), failure),
                        "bench-share-consumer-" + i);
                t.setDaemon(true);
                t.start();
                consumers.add(t);
            }
            long lastCount = 0;
            long lastProgressNs = startNs;
            while (records.get() < target) {
                if (failure.get() != null) {
                    return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "share consumer: " + failure.get());
                }
                long now = System.nanoTime();
                if (records.get() != lastCount) {
                    lastCount = records.get();
                    lastProgressNs = now;
                } else if (now - lastProgressNs > STALL_TIMEOUT.toNanos()) {
                    return LoadResult.failed(workload, ctx.broker(), ctx.rep(),
                            "share consumers stalled at " + lastCount + " of " + target + " records");
                }
                Thread.sleep(1);
            }
            endNs = System.nanoTime();
            window.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "interrupted");
        } finally {
            running.set(false);
            joinAll(consumers);
        }
        return window.result(workload, ctx.broker(), ctx.rep(), records.get(), bytes.get(), (endNs - startNs) / 1e9,
                null, 0, null);
    }

    private static Properties props(LoadContext ctx, String group) {
        Properties props = ctx.consumerProps();
        props.remove(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
        props.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return props;
    }

    private static void consume(Properties props, String topic, AtomicBoolean running, AtomicLong records,
                                AtomicLong bytes, LiveStats live, AtomicReference<Exception> failure) {
        try (KafkaShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(POLL_TIMEOUT);
                long size = 0;
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    size += r.serializedValueSize();
                }
                bytes.addAndGet(size);
                records.addAndGet(batch.count());
                live.addRecords(batch.count());
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private static void joinAll(Collection<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join(STALL_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
