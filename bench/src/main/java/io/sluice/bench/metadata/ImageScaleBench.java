package io.sluice.bench.metadata;

import io.sluice.metadata.codec.CommandCodec;
import io.sluice.metadata.codec.SnapshotCodec;
import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.metadata.statemachine.EntryDescriptor;
import io.sluice.metadata.statemachine.MetadataApplier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Image size and apply rate with 100,000 partitions, in two layouts (1,000 topics × 100 partitions
 * and 100,000 topics × 1 partition), 5 brokers, replication factor 3. Applies stamped entries
 * through {@link MetadataApplier} exactly as a voter does (decode, apply, encode the result),
 * without Ratis, so the numbers are the state machine's own cost. Reports the median of 5 runs
 * of each rate. Args: none.
 */
public final class ImageScaleBench {
    private static final int BROKERS = 5;
    private static final int RUNS = 5;

    private ImageScaleBench() {
    }

    private static long offset;
    private static long seed = 1;

    private static MetadataImage apply(MetadataImage image, MetadataCommand<?> c) {
        byte[] entry = EntryDescriptor.wrap(1_000_000 + offset, seed++, 9000, CommandCodec.encode(c));
        return MetadataApplier.applyEntry(image, ++offset, 1, entry).image();
    }

    /** Args: [topics partitionsPerTopic]... pairs; default 1000 100 100000 1. */
    public static void main(String[] args) {
        String[] a = args.length > 0 ? args : new String[] {"1000", "100", "100000", "1"};
        for (int i = 0; i + 1 < a.length; i += 2) {
            layout(Integer.parseInt(a[i]), Integer.parseInt(a[i + 1]));
        }
    }

    private static void layout(int topics, int partitionsPerTopic) {
        offset = 0;
        System.out.printf("%n== %d topics x %d partitions, RF 3, %d brokers ==%n", topics, partitionsPerTopic, BROKERS);
        MetadataImage image = MetadataImage.empty("bench");
        long[] epochs = new long[BROKERS + 1];
        for (int b = 1; b <= BROKERS; b++) {
            image = apply(image, new RegisterBroker(b, UUID.randomUUID(),
                List.of(new Endpoint("PLAINTEXT", "host" + b, 9092, (short) 0)), Optional.of("r" + (b % 3))));
            epochs[b] = image.offset();
            image = apply(image, new BrokerHeartbeat(b, epochs[b], image.offset(), false));
        }
        long t0 = System.nanoTime();
        for (int t = 0; t < topics; t++) {
            image = apply(image, new CreateTopics(List.of(CreateTopics.NewTopic.of(
                String.format("topic-%06d", t), partitionsPerTopic, 3)), false));
        }
        long createNs = System.nanoTime() - t0;
        System.out.printf("create %d topics one command each: %.0f topics/s (%.1f s)%n", topics,
            topics / (createNs / 1e9), createNs / 1e9);
        if (image.partitionCount() != topics * partitionsPerTopic) {
            throw new IllegalStateException("partition count " + image.partitionCount());
        }

        System.gc();
        long t1 = System.nanoTime();
        byte[] snap = SnapshotCodec.encode(image);
        long encodeNs = System.nanoTime() - t1;
        long t2 = System.nanoTime();
        MetadataImage back = SnapshotCodec.decode(snap);
        long decodeNs = System.nanoTime() - t2;
        if (!back.equals(image)) {
            throw new IllegalStateException("snapshot round trip differs");
        }
        System.out.printf("snapshot: %,d bytes (%.1f bytes/partition), encode %.0f ms, decode %.0f ms%n", snap.length,
            (double) snap.length / image.partitionCount(), encodeNs / 1e6, decodeNs / 1e6);
        back = null;
        System.out.printf("heap held by one image: ~%,d bytes (used heap after GC with and without a decoded copy)%n",
            retainedBytes(snap));

        List<TopicImage> all = new ArrayList<>(image.topics());
        SplittableRandom random = new SplittableRandom(7);
        double[] alterRates = new double[RUNS];
        double[] heartbeatRates = new double[RUNS];
        int n = 20_000;
        for (int run = 0; run < RUNS; run++) {
            long s = System.nanoTime();
            for (int i = 0; i < n; i++) {
                TopicImage t = image.topic(all.get(random.nextInt(all.size())).name());
                PartitionImage p = t.partition(random.nextInt(t.partitionCount()));
                int[] isr = p.isrSize() == 3 ? new int[] {p.leader(), p.isrAt(p.isrAt(0) == p.leader() ? 1 : 0)}
                    : p.replicas();
                image = apply(image, new AlterPartition(p.leader(), epochs[p.leader()], List.of(
                    new AlterPartition.IsrChange(t.topicId(), p.partitionId(), p.leaderEpoch(), p.partitionEpoch(), isr))));
            }
            alterRates[run] = n / ((System.nanoTime() - s) / 1e9);
            s = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int b = 1 + random.nextInt(BROKERS);
                image = apply(image, new BrokerHeartbeat(b, epochs[b], image.offset(), false));
            }
            heartbeatRates[run] = n / ((System.nanoTime() - s) / 1e9);
        }
        Arrays.sort(alterRates);
        Arrays.sort(heartbeatRates);
        System.out.printf("apply AlterPartition (ISR shrink/expand): median %.0f entries/s (runs: %s)%n",
            alterRates[RUNS / 2], fmt(alterRates));
        System.out.printf("apply BrokerHeartbeat: median %.0f entries/s (runs: %s)%n", heartbeatRates[RUNS / 2],
            fmt(heartbeatRates));
    }

    private static String fmt(double[] a) {
        StringBuilder sb = new StringBuilder();
        for (double d : a) {
            sb.append(sb.length() > 0 ? ", " : "").append(String.format("%.0f", d));
        }
        return sb.toString();
    }

    /** Heap retained by an image decoded from {@code snap}: used heap after GC with and without it. */
    private static long retainedBytes(byte[] snap) {
        Runtime rt = Runtime.getRuntime();
        gc();
        long before = rt.totalMemory() - rt.freeMemory();
        MetadataImage restored = SnapshotCodec.decode(snap);
        gc();
        long after = rt.totalMemory() - rt.freeMemory();
        if (restored.partitionCount() < 0) {
            throw new IllegalStateException();
        }
        return after - before;
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
