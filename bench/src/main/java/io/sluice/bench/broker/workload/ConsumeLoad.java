package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer throughput: writes {@code consumeBytes} of 1 KiB records (acks=1, batch.size=64 KiB),
 * then one consumer (assign + seekToBeginning, no group) reads them all back; the window runs from
 * its first poll to its last record. The data was just written, so both brokers serve it from the
 * page cache. Stateless; {@link #run} owns its clients.
 */
public final class ConsumeLoad {
    /** A consumer that gets nothing for this long has stalled: the workload fails instead of hanging. */
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);

    private ConsumeLoad() {
    }

    public static LoadResult run(LoadContext ctx, Workload workload, String topic) {
        long written = Math.max(1, ctx.settings().consumeBytes() / Workload.RECORD_BYTES);
        String writeError = prewrite(ctx, workload, topic, written);
        // The harness wrote one record per partition before (Topics.awaitWritable): read those too.
        long target = written + workload.partitions();
        if (writeError != null) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), writeError);
        }
        MeasureWindow window = new MeasureWindow(ctx.pids());
        long records = 0;
        long bytes = 0;
        long startNs;
        long endNs;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(ctx.consumerProps())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Resolve the start offsets (and connect) before the window: it measures fetching only.
            partitions.forEach(consumer::position);
            ctx.live().phase("measure", 0);
            window.open();
            startNs = System.nanoTime();
            long lastProgressNs = startNs;
            while (records < target) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(POLL_TIMEOUT);
                long now = System.nanoTime();
                if (batch.isEmpty()) {
                    if (now - lastProgressNs > STALL_TIMEOUT.toNanos()) {
                        return LoadResult.failed(workload, ctx.broker(), ctx.rep(),
                                "consumer stalled at " + records + " of " + target + " records");
                    }
                    continue;
                }
                lastProgressNs = now;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    bytes += record.serializedValueSize();
                }
                records += batch.count();
                ctx.live().addRecords(batch.count());
            }
            endNs = System.nanoTime();
            window.close();
        } catch (RuntimeException e) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "consumer: " + e);
        }
        return window.result(workload, ctx.broker(), ctx.rep(), records, bytes, (endNs - startNs) / 1e9, null, 0, null);
    }

    /** @return null when all {@code count} records were acknowledged, else what went wrong */
    static String prewrite(LoadContext ctx, Workload workload, String topic, long count) {
        byte[] value = ProduceLoad.payload();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        ctx.live().phase("prewrite", 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ctx.producerProps(workload.acks(), workload.batchBytes()))) {
            for (long i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                    if (exception != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, exception);
                    }
                });
            }
            producer.flush();
        } catch (RuntimeException e) {
            return "prewrite: " + e;
        }
        return failed.get() == 0 ? null : "prewrite: " + failed.get() + " records failed: " + firstFailure.get();
    }
}
