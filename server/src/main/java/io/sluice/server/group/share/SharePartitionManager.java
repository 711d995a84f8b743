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
 * produced meanwhile). The state is read and written through the {@link ShareStatePersister}, at
 * whichever broker's share coordinator holds it; while a read from another broker is on its way the
 * share-partition answers COORDINATOR_LOAD_IN_PROGRESS (the fetch returns nothing yet, as Kafka's
 * initializing share-partition does). Lock duration and delivery count limit are the group's own
 * when it set them ({@code kafka-configs --entity-type groups}), read when the share-partition
 * starts. A share-partition is re-read from its state when the partition's leadership changed (a
 * new {@code incarnation}), when its coordinator fenced a write (the state was reset or a newer
 * leader wrote), and after the last share session using it ended. Thread-safe.
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

    private record Entry(SharePartition partition, Object incarnation, int leaderEpoch, int stateEpoch) {
        /** The replica object stays the same when leadership is lost and regained; the epoch does not. */
        boolean servesLeadership(Object replica, int epoch) {
            return incarnation == replica && leaderEpoch == epoch;
        }
    }

    /** A read of a share-partition's state under way, for one leadership, from one coordinator broker. */
    private record PendingRead(Object incarnation, int leaderEpoch, int coordinator,
                               CompletableFuture<ShareStateStore.Read> read) {
        /** Still the read to wait for: the same leadership, and done or still asking the right coordinator. */
        boolean answers(Object replica, int epoch, int currentCoordinator) {
            return incarnation == replica && leaderEpoch == epoch && (read.isDone() || coordinator == currentCoordinator);
        }
    }

    private final ShareGroupConfig config;
    private final GroupConfigLookup groupConfigs;
    private final ShareStatePersister persister;
    private final LongSupplier clockMs;
    private final Map<ShareStateRecords.Key, Entry> partitions = new ConcurrentHashMap<>();
    private final Map<ShareStateRecords.Key, PendingRead> reads = new ConcurrentHashMap<>();

    public SharePartitionManager(ShareGroupConfig config, GroupConfigLookup groupConfigs, ShareStatePersister persister,
                                 LongSupplier clockMs) {
        this.config = config;
        this.groupConfigs = groupConfigs;
        this.persister = persister;
        this.clockMs = clockMs;
    }

    public ShareGroupConfig config() {
        return config;
    }

    public ShareStatePersister persister() {
        return persister;
    }

    /** The group's share.record.lock.duration.ms, else the broker's group.share.record.lock.duration.ms. */
    public int recordLockDurationMs(String groupId) {
        return groupConfigs.intOr(groupId, "share.record.lock.duration.ms", config.recordLockDurationMs());
    }

    /**
     * The share-partition of {@code key}, initialized if needed. {@code incarnation} (the replica) and
     * {@code leaderEpoch} identify the current leadership of the topic partition; {@code start} says
     * where a new one starts.
     */
    public Lookup get(ShareStateRecords.Key key, Object incarnation, int leaderEpoch, StartOffsets start) {
        Entry e = partitions.get(key);
        if (e != null && e.servesLeadership(incarnation, leaderEpoch)) {
            return new Lookup(e.partition(), Errors.NONE, null);
        }
        synchronized (this) {
            e = partitions.get(key);
            if (e != null && e.servesLeadership(incarnation, leaderEpoch)) {
                return new Lookup(e.partition(), Errors.NONE, null);
            }
            PendingRead pending = reads.get(key);
            int coordinator = persister.coordinatorOf(key);
            if (pending == null || !pending.answers(incarnation, leaderEpoch, coordinator)) {
                // A read still waiting on a broker that no longer holds the state is asked again of the new one.
                pending = new PendingRead(incarnation, leaderEpoch, coordinator, readState(key, leaderEpoch));
                reads.put(key, pending);
            }
            if (!pending.read().isDone()) {
                return new Lookup(null, Errors.COORDINATOR_LOAD_IN_PROGRESS, null);
            }
            reads.remove(key);
            ShareStateStore.Read read = pending.read().join();
            if (read.error() != Errors.NONE) {
                // NOT_COORDINATOR: the state partition moved since the metadata was read; the next fetch asks again.
                Errors error = read.error() == Errors.NOT_COORDINATOR ? Errors.COORDINATOR_LOAD_IN_PROGRESS : read.error();
                return new Lookup(null, error, read.message());
            }
            return new Lookup(start(key, incarnation, leaderEpoch, read.snapshot(), start), Errors.NONE, null);
        }
    }

    private CompletableFuture<ShareStateStore.Read> readState(ShareStateRecords.Key key, int leaderEpoch) {
        try {
            return persister.read(key, leaderEpoch).exceptionally(t -> failedRead(key, t));
        } catch (RuntimeException ex) {
            return CompletableFuture.completedFuture(failedRead(key, ex));
        }
    }

    private static ShareStateStore.Read failedRead(ShareStateRecords.Key key, Throwable t) {
        // An unreadable state partition (an I/O error while loading it, a malformed answer): this
        // share-partition cannot start; others, in other state partitions, still can.
        LOG.error("Reading the state of share-partition {} failed", key, t);
        return new ShareStateStore.Read(Errors.COORDINATOR_NOT_AVAILABLE, "reading share state failed: " + t, null);
    }

    private SharePartition start(ShareStateRecords.Key key, Object incarnation, int leaderEpoch,
                                 ShareStateRecords.Snapshot s, StartOffsets start) {
        SharePartition sp;
        if (s != null) {
            sp = newSharePartition(key.groupId(), s.startOffset(), s.batches());
            LOG.info("Share-partition {} loaded: start offset {}, {} in flight", key, s.startOffset(), sp.inFlightCount());
        } else {
            String strategy = groupConfigs.stringOr(key.groupId(), ShareAutoOffsetReset.CONFIG, ShareAutoOffsetReset.LATEST);
            long startOffset = start.forStrategy(strategy);
            sp = newSharePartition(key.groupId(), startOffset, List.of());
            LOG.info("Share-partition {} initialized at offset {} (share.auto.offset.reset={})", key, startOffset,
                    strategy);
        }
        Entry e = new Entry(sp, incarnation, leaderEpoch, s == null ? 0 : s.stateEpoch());
        partitions.put(key, e);
        if (s == null) {
            // Kafka's InitializeShareGroupState: a share-partition's state starts at state epoch 0. If
            // another start or a reset got there first, this one is dropped and the next fetch reads that.
            persister.initialize(key, 0, sp.startOffset()).thenAccept(code -> {
                if (code != Errors.NONE.code()) {
                    LOG.info("Share-partition {} not initialized ({}): read again at the next fetch", key,
                            Errors.forCode(code));
                    partitions.remove(key, e);
                }
            });
        }
        return sp;
    }

    private SharePartition newSharePartition(String groupId, long startOffset, List<SharePartition.StateBatch> batches) {
        return new SharePartition(clockMs, recordLockDurationMs(groupId),
                groupConfigs.intOr(groupId, "share.delivery.count.limit", config.deliveryCountLimit()),
                config.partitionMaxRecordLocks(), startOffset, batches);
    }

    /**
     * Writes the share-partition's state; the future holds a Kafka error code, FENCED_STATE_EPOCH
     * when {@code sp} is no longer the current share-partition of {@code key}. A write its
     * coordinator fences (the state was reset or deleted, or a newer leader wrote) drops {@code sp}:
     * the next fetch reads the state again.
     */
    public CompletableFuture<Short> persist(ShareStateRecords.Key key, SharePartition sp) {
        Entry e = partitions.get(key);
        if (e == null || e.partition() != sp) {
            // Its state was reset or deleted (or re-read after a leadership change) meanwhile: a
            // write of the old state would undo that. Kafka's share coordinator refuses it the same way.
            return CompletableFuture.completedFuture(Errors.FENCED_STATE_EPOCH.code());
        }
        // Snapshot and send under the share-partition's lock: two writers cannot reorder their
        // snapshots, and the last one the coordinator applies is always the newest state.
        CompletableFuture<Short> written;
        synchronized (sp) {
            written = persister.write(key, new ShareStateStore.Write(e.stateEpoch(), e.leaderEpoch(), sp.startOffset(),
                    sp.stateBatches()));
        }
        return written.thenApply(code -> {
            if (code == Errors.FENCED_STATE_EPOCH.code() || code == Errors.FENCED_LEADER_EPOCH.code()) {
                partitions.remove(key, e);
            }
            return code;
        });
    }

    /**
     * Forgets the share-partition of {@code key} (its state was reset or deleted, or no session
     * uses it any more): the next fetch reads the state again, and a late write of the old one is refused.
     */
    public void invalidate(ShareStateRecords.Key key) {
        partitions.remove(key);
        reads.remove(key);
    }

    /**
     * Resets the share-partition of {@code key} to start at {@code startOffset} with nothing in
     * flight (AlterShareGroupOffsets), under a new state epoch; the future holds the write's error code.
     */
    public CompletableFuture<Short> reset(ShareStateRecords.Key key, long startOffset) {
        return persister.summaries(key.groupId(), List.of(key)).thenCompose(summaries -> {
            ShareStatePersister.Summary old = summaries.get(key);
            if (old == null || old.error() != Errors.NONE) {
                return CompletableFuture.completedFuture(
                        old == null ? Errors.COORDINATOR_NOT_AVAILABLE.code() : old.error().code());
            }
            invalidate(key);
            // Above any epoch a share-partition started meanwhile from "no state" (0) would write with.
            return persister.initialize(key, old.exists() ? old.stateEpoch() + 1 : 1, startOffset);
        });
    }

    /** The share-partition of {@code key} if one is held here, without creating it (a session ending releases its records). */
    public SharePartition peek(ShareStateRecords.Key key) {
        Entry e = partitions.get(key);
        return e == null ? null : e.partition();
    }
}
