package io.sluice.server.group.share;

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
 * at the partition's high watermark when it has none (Kafka's default
 * {@code share.auto.offset.reset=latest}; that first start offset is persisted at once, so a
 * restart does not skip what was produced meanwhile). A share-partition is re-read from its state
 * when the partition's leadership changed (a new {@code incarnation}). Thread-safe.
 */
public final class SharePartitionManager {

    private static final Logger LOG = LoggerFactory.getLogger(SharePartitionManager.class);

    /** A share-partition, or why there is none. */
    public record Lookup(SharePartition partition, Errors error, String message) { }

    private record Entry(SharePartition partition, Object incarnation, int leaderEpoch, int stateEpoch, long createdMs) { }

    private final ShareGroupConfig config;
    private final ShareStateStore store;
    private final LongSupplier clockMs;
    private final Map<ShareStateRecords.Key, Entry> partitions = new ConcurrentHashMap<>();
    private final Map<ShareStateRecords.Key, Integer> snapshotEpochs = new ConcurrentHashMap<>();

    public SharePartitionManager(ShareGroupConfig config, ShareStateStore store, LongSupplier clockMs) {
        this.config = config;
        this.store = store;
        this.clockMs = clockMs;
    }

    public ShareGroupConfig config() {
        return config;
    }

    /**
     * The share-partition of {@code key}, initialized if needed. {@code incarnation} identifies the
     * current leadership of the topic partition; {@code highWatermark} is where a new one starts.
     */
    public Lookup get(ShareStateRecords.Key key, Object incarnation, int leaderEpoch, long highWatermark) {
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
                sp = new SharePartition(clockMs, config.recordLockDurationMs(), config.deliveryCountLimit(),
                        config.partitionMaxRecordLocks(), s.startOffset(), s.batches());
                snapshotEpochs.put(key, s.snapshotEpoch() + 1);
                created = s.createTimestampMs();
                stateEpoch = s.stateEpoch();
                LOG.info("Share-partition {} loaded: start offset {}, {} in flight", key, s.startOffset(),
                        sp.inFlightCount());
            } else {
                sp = new SharePartition(clockMs, config.recordLockDurationMs(), config.deliveryCountLimit(),
                        config.partitionMaxRecordLocks(), highWatermark, List.of());
                LOG.info("Share-partition {} initialized at offset {} (share.auto.offset.reset=latest)", key,
                        highWatermark);
            }
            e = new Entry(sp, incarnation, leaderEpoch, stateEpoch, created);
            partitions.put(key, e);
            if (read.snapshot() == null) {
                persist(key, sp);
            }
            return new Lookup(sp, Errors.NONE, null);
        }
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
