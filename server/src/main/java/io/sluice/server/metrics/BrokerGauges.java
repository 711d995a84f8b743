package io.sluice.server.metrics;

import static io.sluice.server.metrics.Gauges.counter;
import static io.sluice.server.metrics.Gauges.gauge;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.replication.Partition;
import io.sluice.replication.ReplicaManager;
import io.sluice.replication.fetcher.ReplicaFetcherManager;
import io.sluice.replication.role.LeaderRole;
import io.sluice.replication.selector.ReplicaView;
import io.sluice.storage.log.LogManager;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * The broker's state, read at scrape time so the hot path pays nothing: the partitions it leads
 * (offsets, size, segments, replication health), its followers' lag, ISR changes, and its log dirs
 * and mappings. Partition series carry {@code topic} and {@code partition} labels and exist only on
 * the partition's leader, as Kafka's Log and Partition metrics do. Registered once; thread-safe.
 */
public final class BrokerGauges {

    private BrokerGauges() { }

    /**
     * @param minInsyncReplicas a topic's min.insync.replicas (its config, else the broker's)
     * @param quorumLeader      whether this node leads the metadata quorum: offline partitions are
     *                          counted there only, as Kafka counts them on the active controller
     */
    public static void register(PrometheusRegistry registry, ReplicaManager replicas, ReplicaFetcherManager fetchers,
                                Supplier<MetadataImage> image, LogManager logs, ToIntFunction<TopicImage> minInsyncReplicas,
                                BooleanSupplier quorumLeader, Clock clock) {
        partitionGauge(registry, replicas, "sluice_partition_log_end_offset", "Log end offset of a partition led here.",
                Partition::logEndOffset);
        partitionGauge(registry, replicas, "sluice_partition_high_watermark", "High watermark of a partition led here.",
                Partition::highWatermark);
        partitionGauge(registry, replicas, "sluice_partition_log_start_offset", "Log start offset of a partition led here.",
                Partition::logStartOffset);
        partitionGauge(registry, replicas, "sluice_partition_size_bytes", "Bytes of log segments of a partition led here.",
                p -> p.log().sizeInBytes());
        partitionGauge(registry, replicas, "sluice_partition_segments", "Log segments of a partition led here.",
                p -> p.log().segmentCount());
        gauge(registry, "sluice_follower_lag_records",
                "Records a follower's log end is behind the leader's, by the follower's last fetch (-1: no fetch yet).",
                cb -> eachFollower(replicas, clock, (p, f) -> cb.call(f.logEndOffset() < 0 ? -1
                        : Math.max(0, p.logEndOffset() - f.logEndOffset()), p.topic(), label(p.partition()),
                        label(f.brokerId()))),
                "topic", "partition", "replica");
        gauge(registry, "sluice_follower_lag_bytes",
                "Bytes of the leader's log past a follower's log end, by the follower's last fetch (-1: no fetch yet).",
                cb -> eachFollower(replicas, clock, (p, f) -> cb.call(f.logEndOffset() < 0 ? -1
                        : p.log().bytesFrom(f.logEndOffset()), p.topic(), label(p.partition()), label(f.brokerId()))),
                "topic", "partition", "replica");
        gauge(registry, "sluice_follower_lag_seconds", "Time since a follower was last caught up with the leader's log end.",
                cb -> eachFollower(replicas, clock, (p, f) -> cb.call(f.timeSinceLastCaughtUpMs() / 1000.0, p.topic(),
                        label(p.partition()), label(f.brokerId()))),
                "topic", "partition", "replica");

        gauge(registry, "sluice_partitions", "Partition replicas hosted here, led or followed.",
                () -> count(replicas, p -> true));
        gauge(registry, "sluice_leader_partitions", "Partitions led here.", () -> count(replicas, Partition::isLeader));
        gauge(registry, "sluice_under_replicated_partitions", "Partitions led here whose ISR is smaller than their replicas.",
                () -> countLed(replicas, image, (topic, state) -> state.isrSize() < state.replicaCount()));
        gauge(registry, "sluice_under_min_isr_partitions", "Partitions led here whose ISR is below min.insync.replicas.",
                () -> countLed(replicas, image, (topic, state) -> state.isrSize() < minInsyncReplicas.applyAsInt(topic)));
        gauge(registry, "sluice_offline_partitions",
                "Partitions without a leader; counted by the metadata quorum's leader only (0 on other nodes).",
                () -> quorumLeader.getAsBoolean() ? offline(image.get()) : 0);
        counter(registry, "sluice_isr_shrinks_total", "ISR shrinks proposed here as leader and committed.",
                replicas::isrShrinks);
        counter(registry, "sluice_isr_expands_total", "ISR expansions proposed here as leader and committed.",
                replicas::isrExpands);
        gauge(registry, "sluice_replica_fetchers", "Replica fetcher threads running (num.replica.fetchers per leader at most).",
                fetchers::fetcherCount);
        counter(registry, "sluice_replica_fetch_requests_total", "Fetch requests the replica fetchers sent to leaders.",
                () -> fetchers.stats().requests());
        counter(registry, "sluice_replica_fetch_failures_total", "Replica fetches that failed (no answer, broken connection).",
                () -> fetchers.stats().failures());
        counter(registry, "sluice_replica_fetch_bytes_total", "Record bytes the replica fetchers appended from leaders.",
                () -> fetchers.stats().bytes());

        gauge(registry, "sluice_log_mapped_segments", "Segment files mapped into memory now.",
                () -> logs.mappingCache().size());
        gauge(registry, "sluice_log_mapped_segments_max", "Cap on mapped segment files (log.mapped.segments.max).",
                () -> logs.mappingCache().mappedSegmentsMax());
        counter(registry, "sluice_log_mapping_evictions_total", "Cold segments unmapped to stay under the cap.",
                () -> logs.mappingCache().evictions());
        gauge(registry, "sluice_log_reserved_bytes", "Disk space reserved ahead of the writers in active segments "
                + "and not written yet (allocated before mapping, so a full disk fails an append, not a mapped write).",
                logs::reservedAheadBytes);
        registerCleaner(registry, logs);
        gauge(registry, "sluice_log_load_seconds", "Time loading and recovering every log took at start.",
                cb -> cb.call(logs.loadTimeMs() / 1000.0));
        gauge(registry, "sluice_log_dir_online", "1 for a log dir in service, 0 for one taken offline after an I/O error.",
                cb -> {
                    for (Path dir : logs.logDirs()) {
                        cb.call(logs.offlineLogDirs().contains(dir) ? 0 : 1, dir.toString());
                    }
                }, "dir");
    }

    /** The log cleaner's state per compacted log (what Kafka's LogCleaner metrics and log lines say). */
    private static void registerCleaner(PrometheusRegistry registry, LogManager logs) {
        gauge(registry, "sluice_log_cleaner_threads", "Log cleaner threads running (log.cleaner.threads, dynamic).",
                () -> logs.cleaner().threadCount());
        counter(registry, "sluice_log_cleaner_cleanings_total", "Cleanings of a compacted log since the broker started.",
                cb -> logs.cleaner().states().forEach((tp, s) -> cb.call(s.cleanings(), tp.topic(), label(tp.partition()))),
                "topic", "partition");
        counter(registry, "sluice_log_cleaner_read_bytes_total", "Bytes of a compacted log its cleanings read.",
                cb -> logs.cleaner().states().forEach((tp, s) -> cb.call(s.bytesCleanedTotal(), tp.topic(),
                        label(tp.partition()))),
                "topic", "partition");
        gauge(registry, "sluice_log_cleaner_dirty_ratio",
                "Dirty part of a compacted log when last considered (cleaned at min.cleanable.dirty.ratio).",
                cb -> logs.cleaner().states().forEach((tp, s) -> cb.call(s.dirtyRatio(), tp.topic(), label(tp.partition()))),
                "topic", "partition");
        gauge(registry, "sluice_log_cleaner_last_cleaning_seconds", "How long the last cleaning of a compacted log took.",
                cb -> logs.cleaner().states().forEach((tp, s) -> cb.call(s.lastDurationMs() / 1000.0, tp.topic(),
                        label(tp.partition()))),
                "topic", "partition");
        gauge(registry, "sluice_log_cleaner_uncleanable", "1 for a log the cleaner gave up on (until restart), with why.",
                cb -> logs.cleaner().uncleanablePartitions().forEach((tp, why) -> cb.call(1, tp.topic(),
                        label(tp.partition()), why)),
                "topic", "partition", "reason");
    }

    private static void partitionGauge(PrometheusRegistry registry, ReplicaManager replicas, String name, String help,
                                       ToDoubleFunction<Partition> value) {
        gauge(registry, name, help, cb -> {
            for (Partition p : replicas.partitions()) {
                if (p.isLeader()) {
                    cb.call(value.applyAsDouble(p), p.topic(), label(p.partition()));
                }
            }
        }, "topic", "partition");
    }

    private interface FollowerSink {
        void accept(Partition partition, ReplicaView follower);
    }

    private static void eachFollower(ReplicaManager replicas, Clock clock, FollowerSink sink) {
        long now = clock.millis();
        for (Partition p : replicas.partitions()) {
            if (p.role() instanceof LeaderRole leader) {
                for (ReplicaView f : leader.followers(now)) {
                    sink.accept(p, f);
                }
            }
        }
    }

    private static long count(ReplicaManager replicas, Predicate<Partition> which) {
        long n = 0;
        for (Partition p : replicas.partitions()) {
            if (which.test(p)) {
                n++;
            }
        }
        return n;
    }

    private static long countLed(ReplicaManager replicas, Supplier<MetadataImage> image,
                                 BiPredicate<TopicImage, PartitionImage> which) {
        MetadataImage now = image.get();
        long n = 0;
        for (Partition p : replicas.partitions()) {
            TopicImage topic = now.topic(p.topic());
            PartitionImage state = topic == null ? null : topic.partition(p.partition());
            if (p.isLeader() && state != null && which.test(topic, state)) {
                n++;
            }
        }
        return n;
    }

    private static long offline(MetadataImage image) {
        long n = 0;
        for (TopicImage topic : image.topics()) {
            for (PartitionImage state : topic.partitions()) {
                if (state.leader() == PartitionImage.NO_LEADER) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String label(int value) {
        return Integer.toString(value);
    }
}
