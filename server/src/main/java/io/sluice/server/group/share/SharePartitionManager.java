package io.sluice.server.group.share;

import io.sluice.server.group.runtime.GroupConfigLookup;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-partitions of the topic partitions this broker leads (one per share group and
 * partition), created on a group's first ShareFetch of the partition from its persisted state, or
 * where the group's {@code share.auto.offset.reset} puts it when it has none (the high watermark
 * by default; that first start offset is persisted at once, so a restart does not skip what was
 * produced meanwhile). Lock duration and delivery count limit are the group's own when it set them
 * ({@code kafka-configs --entity-type groups}), read when the share-partition starts. A share-partition is re-read from its state
 * when the partition's leadership changed (a new {@code incarnation}). Thread-safe.
 */
public final class SharePartitionManager {

    private static final Logger LOG = LoggerFactory.getLogger(SharePartitionManager.class);

    /** A share-partition, or why there is none. */
    public record Lookup(SharePartition partition, Errors error, String message) { }

    /** Where a new share-partition starts, for a {@code share.auto.offset.reset} strategy. */
    @FunctionalInterface
    public interface StartOffsets {
        long forStrategy(String strategy);

        /** The same offset for every strategy. */
        static StartOffsets at(long offset) {
            return strategy -> offset;
        }
    }

    private record Entry(SharePartition partition, Object incarnation, int leaderEpoch, int stateEpoch, long createdMs) { }

    private final ShareGroupConfig config;
    private final GroupConfigLookup groupConfigs;
    private final ShareStateStore store;
    private final LongSupplier clockMs;
    private final Map<ShareStateRecords.Key, Entry> partitions = new ConcurrentHashMap<>();
    private final Map<ShareStateRecords.Key, Integer> snapshotEpochs = new ConcurrentHashMap<>();

    public SharePartitionManager(ShareGroupConfig config, GroupConfigLookup groupConfigs, ShareStateStore store,
                                 LongSupplier clockMs) {
        this.config = config;
        this.groupConfigs = groupConfigs;
        this.store = store;
        this.clockMs = clockMs;
    }

    public ShareGroupConfig config() {
        return config;
    }

    /** The group's share.record.lock.duration.ms, else the broker's group.share.record.lock.duration.ms. */
    public int recordLockDurationMs(String groupId) {
        return groupConfigs.intOr(groupId, "share.record.lock.duration.ms", config.recordLockDurationMs());
    }

    /**
     * The share-partition of {@code key}, initialized if needed. {@code incarnation} identifies the
     * current leadership of the topic partition; {@code start} says where a new one starts.
     */
    public Lookup get(ShareStateRecords.Key key, Object incarnation, int leaderEpoch, StartOffsets start) {
        Entry e = partitions.get(key);
        if (e != null && e.incarnation() == incarnation) {
            return new Lookup(e.partition(), Errors.NONE, null);
        }
        synchronized (this) {
            e = partitions.get(key);
            if (e != null && e.incarnation() == incarnation) {
                return new Lookup(e.partition(), Errors.NONE, null);
            }
            ShareStateStore.Read read;
            try {
                read = store.read(key);
            } catch (RuntimeException ex) {
                // An unreadable state partition (an I/O error while loading it): this
                // share-partition cannot start; others, in other state partitions, still can.
                LOG.error("Reading the state of share-partition {} failed", key, ex);
                return new Lookup(null, Errors.COORDINATOR_NOT_AVAILABLE, "reading share state failed: " + ex);
            }
            if (read.error() != Errors.NONE) {
                return new Lookup(null, read.error(), read.message());
            }
            SharePartition sp;
            long created = clockMs.getAsLong();
            int stateEpoch = 0;
            if (read.snapshot() != null) {
                ShareStateRecords.Snapshot s = read.snapshot();
                sp = newSharePartition(key.groupId(), s.startOffset(), s.batches());
                snapshotEpochs.put(key, s.snapshotEpoch() + 1);
                created = s.createTimestampMs();
                stateEpoch = s.stateEpoch();
                LOG.info("Share-partition {} loaded: start offset {}, {} in flight", key, s.startOffset(),
                        sp.inFlightCount());
            } else {
                String strategy = groupConfigs.stringOr(key.groupId(), ShareAutoOffsetReset.CONFIG, ShareAutoOffsetReset.LATEST);
                long startOffset = start.forStrategy(strategy);
                sp = newSharePartition(key.groupId(), startOffset, List.of());
                LOG.info("Share-partition {} initialized at offset {} (share.auto.offset.reset={})", key, startOffset,
                        strategy);
            }
            e = new Entry(sp, incarnation, leaderEpoch, stateEpoch, created);
            partitions.put(key, e);
            if (read.snapshot() == null) {
                persist(key, sp);
            }
            return new Lookup(sp, Errors.NONE, null);
        }
    }

    private SharePartition newSharePartition(String groupId, long startOffset, List<SharePartition.StateBatch> batches) {
        return new SharePartition(clockMs, recordLockDurationMs(groupId),
                groupConfigs.intOr(groupId, "share.delivery.count.limit", config.deliveryCountLimit()),
                config.partitionMaxRecordLocks(), startOffset, batches);
    }

    /**
     * Writes the share-partition's state; the future holds a Kafka error code, FENCED_STATE_EPOCH
     * when {@code sp} is no longer the current share-partition of {@code key}.
     */
    public CompletableFuture<Short> persist(ShareStateRecords.Key key, SharePartition sp) {
        Entry e = partitions.get(key);
        if (e == null || e.partition() != sp) {
            // Its state was reset or deleted (or re-read after a leadership change) meanwhile: a
            // write of the old state would undo that. Kafka's share coordinator refuses it the same way.
            return CompletableFuture.completedFuture(Errors.FENCED_STATE_EPOCH.code());
        }
        // Snapshot and append under the share-partition's lock: two writers cannot reorder their
        // snapshots in the log, and the last one is always the newest state.
        synchronized (sp) {
            int epoch = snapshotEpochs.merge(key, 1, Integer::sum) - 1;
            ShareStateRecords.Snapshot s = new ShareStateRecords.Snapshot(epoch, e.stateEpoch(), e.leaderEpoch(), sp.startOffset(),
                    e.createdMs(), clockMs.getAsLong(), sp.stateBatches());
            return store.write(key, s);
        }
    }

    /**
     * Forgets the share-partition of {@code key} (its state was reset or deleted): the next fetch
     * reads the state again, and a late write of the old one is refused.
     */
    public void invalidate(ShareStateRecords.Key key) {
        partitions.remove(key);
    }

    /**
     * Resets the share-partition of {@code key} to start at {@code startOffset} with nothing in
     * flight (AlterShareGroupOffsets), under a new state epoch; the future holds the write's error code.
     */
    public synchronized CompletableFuture<Short> reset(ShareStateRecords.Key key, long startOffset, int leaderEpoch) {
        ShareStateStore.Read read = store.read(key);
        if (read.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(read.error().code());
        }
        ShareStateRecords.Snapshot old = read.snapshot();
        long now = clockMs.getAsLong();
        int epoch = snapshotEpochs.merge(key, 1, Integer::sum) - 1;
        partitions.remove(key);
        return store.write(key, new ShareStateRecords.Snapshot(epoch, old == null ? 0 : old.stateEpoch() + 1,
                leaderEpoch, startOffset, old == null ? now : old.createTimestampMs(), now, List.of()));
    }

    /** Deletes the share-partition's state (DeleteShareGroupOffsets, DeleteGroups). */
    public synchronized CompletableFuture<Short> delete(ShareStateRecords.Key key) {
        partitions.remove(key);
        snapshotEpochs.remove(key);
        return store.delete(key);
    }

    public ShareStateStore store() {
        return store;
    }

    /** The share-partition of {@code key} if one is held here, without creating it (a session ending releases its records). */
    public SharePartition peek(ShareStateRecords.Key key) {
        Entry e = partitions.get(key);
        return e == null ? null : e.partition();
    }
}
