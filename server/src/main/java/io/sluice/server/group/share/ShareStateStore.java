package io.sluice.server.group.share;

import io.sluice.server.group.log.GroupLog;
import io.sluice.server.group.log.GroupRecords;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share coordinator's state (Kafka's ShareCoordinatorShard): the share-partition states kept
 * in the partitions of {@code __share_group_state} this broker leads, served to share-partition
 * leaders here directly and to others through Read/Write/Initialize/DeleteShareGroupState and
 * ReadShareGroupStateSummary ({@link ShareCoordinatorHandlers}). A share-partition's state lives
 * in partition {@code abs(hash("group:topicId:partition")) % share.coordinator.state.topic.num.partitions}
 * (Kafka's rule). Each state partition is read once per leadership (the last snapshot of each key
 * wins) and then kept in memory beside the writes. Every write appends the share-partition's whole
 * state as a snapshot and a deleted state gets a tombstone, so the topic is kept small by the log
 * cleaner ({@code cleanup.policy=compact}) and a cleaned partition reads back the same states.
 * Writes are fenced as Kafka's are: a lower state epoch (the state was reset since) gets
 * FENCED_STATE_EPOCH, a lower leader epoch (an older leader of the topic partition) FENCED_LEADER_EPOCH.
 * Thread-safe: synchronized, and an append is issued under the lock so log order is call order.
 */
public final class ShareStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(ShareStateStore.class);

    /** Where the partitions of {@code __share_group_state} come from. */
    public interface StatePartitions {
        /** @return the partition's log when led here (its incarnation is not equal to the last after a new leadership), else null */
        Led lookup(int partition);

        /** Creates the topic if it does not exist yet (asynchronous); true once it exists. */
        boolean ensureTopic();

        /** The partition's leader in the metadata, -1 when it has none (or the topic does not exist yet). */
        int leader(int partition);

        /** Whether the metadata has topic {@code topicId} (its share states go when it is deleted). */
        boolean topicExists(Uuid topicId);

        record Led(GroupLog log, Object incarnation) { }
    }

    /** A read: the error, or the last snapshot (null when the share-partition has none). */
    public record Read(Errors error, String message, ShareStateRecords.Snapshot snapshot) { }

    /**
     * A share-partition leader's write (WriteShareGroupState): its state epoch and leader epoch, the
     * start offset and the runs that changed (Sluice's leaders send all of them).
     */
    public record Write(int stateEpoch, int leaderEpoch, long startOffset, List<SharePartition.StateBatch> batches) { }

    /**
     * A state partition read here: its log, its latest snapshots, and the leader epochs of the
     * share-partition leaders that read them since (kept in memory only, as Kafka's leaderEpochMap).
     */
    private record Loaded(Object incarnation, GroupLog log, Map<ShareStateRecords.Key, ShareStateRecords.Snapshot> latest,
                          Map<ShareStateRecords.Key, Integer> leaderEpochs) {

        int newestLeaderEpoch(ShareStateRecords.Key k) {
            ShareStateRecords.Snapshot s = latest.get(k);
            return Math.max(leaderEpochs.getOrDefault(k, -1), s == null ? -1 : s.leaderEpoch());
        }
    }

    private final StatePartitions partitions;
    private final int numPartitions;
    private final int nodeId;
    private final LongSupplier clockMs;
    private final Map<Integer, Loaded> loaded = new HashMap<>();

    public ShareStateStore(StatePartitions partitions, int numPartitions, int nodeId, LongSupplier clockMs) {
        this.partitions = partitions;
        this.numPartitions = numPartitions;
        this.nodeId = nodeId;
        this.clockMs = clockMs;
    }

    /** The partition of {@code __share_group_state} that holds the state of {@code k}. */
    public int partitionFor(ShareStateRecords.Key k) {
        return k.statePartition(numPartitions);
    }

    /**
     * The broker whose share coordinator holds {@code k}: this one's id when its state partition is
     * led here or has no leader yet (this store then answers that it is loading), else the leader's.
     */
    public int coordinatorOf(ShareStateRecords.Key k) {
        if (!partitions.ensureTopic()) {
            return nodeId;
        }
        int leader = partitions.leader(partitionFor(k));
        return leader < 0 ? nodeId : leader;
    }

    public int nodeId() {
        return nodeId;
    }

    /**
     * The last snapshot of {@code k}, for the leader of its topic partition at {@code leaderEpoch}
     * (recorded: an older leader's later writes are fenced; -1 for a reader that is no leader, which
     * is neither fenced nor recorded). COORDINATOR_LOAD_IN_PROGRESS while the topic is being created
     * or its partition is becoming led here (the caller retries), NOT_COORDINATOR when another
     * broker leads it, FENCED_LEADER_EPOCH for an older leader.
     */
    public synchronized Read read(ShareStateRecords.Key k, int leaderEpoch) {
        Loaded l = load(partitionFor(k));
        if (l == null) {
            return notLoaded(k);
        }
        ShareStateRecords.Snapshot s = l.latest().get(k);
        if (leaderEpoch >= 0) {
            if (l.newestLeaderEpoch(k) > leaderEpoch) {
                return new Read(Errors.FENCED_LEADER_EPOCH, "a newer leader of " + k + " read its state", null);
            }
            l.leaderEpochs().put(k, leaderEpoch);
        }
        return new Read(Errors.NONE, null, s);
    }

    /**
     * Merges a leader's write into the state of {@code k} and appends the result as a snapshot
     * (acks=all); the future holds a Kafka error code. Checked as Kafka's share coordinator checks a
     * write: an older leader epoch is FENCED_LEADER_EPOCH, an older state epoch (the state was reset
     * since) FENCED_STATE_EPOCH, and -1 keeps the stored epoch or start offset. A key with no state
     * is FENCED_STATE_EPOCH too: its state was deleted since the writer read it (a new share-partition
     * is created with {@link #initialize}), and a write must not bring it back.
     */
    public synchronized CompletableFuture<Short> write(ShareStateRecords.Key k, Write w) {
        Loaded l = load(partitionFor(k));
        if (l == null) {
            return failed(notLoaded(k).error());
        }
        ShareStateRecords.Snapshot old = l.latest().get(k);
        if (old == null) {
            return failed(Errors.FENCED_STATE_EPOCH);
        }
        if (w.leaderEpoch() != -1 && l.newestLeaderEpoch(k) > w.leaderEpoch()) {
            return failed(Errors.FENCED_LEADER_EPOCH);
        }
        if (w.stateEpoch() != -1 && old.stateEpoch() > w.stateEpoch()) {
            return failed(Errors.FENCED_STATE_EPOCH);
        }
        int stateEpoch = w.stateEpoch() == -1 ? old.stateEpoch() : w.stateEpoch();
        int leaderEpoch = w.leaderEpoch() == -1 ? old.leaderEpoch() : w.leaderEpoch();
        long startOffset = w.startOffset() == -1 ? old.startOffset() : w.startOffset();
        List<SharePartition.StateBatch> batches = StateBatches.merge(old.batches(), w.batches(), startOffset);
        return append(l, k, old, stateEpoch, leaderEpoch, startOffset, batches);
    }

    /**
     * Starts the state of {@code k} afresh at {@code startOffset} with nothing in flight, under
     * {@code stateEpoch} (InitializeShareGroupState: a new share-partition, or AlterShareGroupOffsets);
     * FENCED_STATE_EPOCH when the state already has a higher state epoch.
     */
    public synchronized CompletableFuture<Short> initialize(ShareStateRecords.Key k, int stateEpoch, long startOffset) {
        Loaded l = load(partitionFor(k));
        if (l == null) {
            return failed(notLoaded(k).error());
        }
        ShareStateRecords.Snapshot old = l.latest().get(k);
        if (old != null && old.stateEpoch() > stateEpoch) {
            return failed(Errors.FENCED_STATE_EPOCH);
        }
        return append(l, k, old, stateEpoch, old == null ? -1 : old.leaderEpoch(), startOffset, List.of());
    }

    /** Appends a tombstone for {@code k} (its state is gone), if it has a state; the future holds the error code. */
    public synchronized CompletableFuture<Short> delete(ShareStateRecords.Key k) {
        Loaded l = load(partitionFor(k));
        if (l == null) {
            return failed(notLoaded(k).error());
        }
        ShareStateRecords.Snapshot old = l.latest().remove(k);
        if (old == null) {
            return CompletableFuture.completedFuture(Errors.NONE.code());
        }
        return appendOrUndo(l, k, null, old);
    }

    private CompletableFuture<Short> append(Loaded l, ShareStateRecords.Key k, ShareStateRecords.Snapshot old,
                                            int stateEpoch, int leaderEpoch, long startOffset,
                                            List<SharePartition.StateBatch> batches) {
        long now = clockMs.getAsLong();
        ShareStateRecords.Snapshot s = new ShareStateRecords.Snapshot(old == null ? 0 : old.snapshotEpoch() + 1,
                stateEpoch, leaderEpoch, startOffset, old == null ? now : old.createTimestampMs(), now, batches);
        l.latest().put(k, s);
        return appendOrUndo(l, k, s, old);
    }

    /**
     * Appends {@code now} (null: a tombstone), already applied in memory, and puts {@code before}
     * back if the append fails (as Kafka's coordinator runtime reverts a failed write), unless a
     * later change replaced it meanwhile.
     */
    private CompletableFuture<Short> appendOrUndo(Loaded l, ShareStateRecords.Key k, ShareStateRecords.Snapshot now,
                                                 ShareStateRecords.Snapshot before) {
        byte[] value = now == null ? null : ShareStateRecords.value(now);
        return l.log().append(List.of(new GroupRecords.Record(ShareStateRecords.key(k), value))).thenApply(code -> {
            if (code != Errors.NONE.code()) {
                synchronized (this) {
                    if (l.latest().get(k) == now) {
                        if (before == null) {
                            l.latest().remove(k);
                        } else {
                            l.latest().put(k, before);
                        }
                    }
                }
            }
            return code;
        });
    }

    /**
     * Deletes the states of the share-partitions of deleted topics in the state partitions led here
     * (Kafka since KAFKA-19201): a tombstone each. A state partition loaded later drops them at load.
     */
    public synchronized void deleteTopics(Set<Uuid> topicIds) {
        for (Loaded l : loaded.values()) {
            deleteStatesOf(l, k -> topicIds.contains(k.topicId()));
        }
    }

    private void deleteStatesOf(Loaded l, Predicate<ShareStateRecords.Key> gone) {
        List<ShareStateRecords.Key> keys = l.latest().keySet().stream().filter(gone).toList();
        for (ShareStateRecords.Key k : keys) {
            ShareStateRecords.Snapshot old = l.latest().remove(k);
            appendOrUndo(l, k, null, old).thenAccept(code -> {
                if (code != Errors.NONE.code()) {
                    LOG.warn("Deleting the share state of {}, whose topic was deleted, failed: {}", k, Errors.forCode(code));
                }
            });
        }
        if (!keys.isEmpty()) {
            LOG.info("Deleted the share states of {} share-partitions of deleted topics", keys.size());
        }
    }

    private Read notLoaded(ShareStateRecords.Key k) {
        int leader = partitions.leader(partitionFor(k));
        return leader >= 0 && leader != nodeId
                ? new Read(Errors.NOT_COORDINATOR, "the share state of " + k + " is in " + ShareGroupConfig.STATE_TOPIC
                        + "-" + partitionFor(k) + ", led by broker " + leader, null)
                : new Read(Errors.COORDINATOR_LOAD_IN_PROGRESS, null, null);
    }

    private static CompletableFuture<Short> failed(Errors e) {
        return CompletableFuture.completedFuture(e.code());
    }

    private Loaded load(int p) {
        if (!partitions.ensureTopic()) {
            return null;
        }
        StatePartitions.Led led = partitions.lookup(p);
        if (led == null) {
            loaded.remove(p);
            return null;
        }
        Loaded cur = loaded.get(p);
        if (cur != null && cur.incarnation().equals(led.incarnation())) {
            return cur;
        }
        Map<ShareStateRecords.Key, ShareStateRecords.Snapshot> latest = new HashMap<>();
        int[] skipped = new int[1];
        led.log().replay(r -> {
            try {
                ShareStateRecords.Key key = ShareStateRecords.readKey(ByteBuffer.wrap(r.key()));
                if (key == null) {
                    return;
                }
                if (r.value() == null) {
                    latest.remove(key);
                } else {
                    latest.put(key, ShareStateRecords.readValue(ByteBuffer.wrap(r.value())));
                }
            } catch (RuntimeException e) {
                skipped[0]++;
            }
        });
        LOG.info("Loaded {} share-partition states from {}-{} ({} undecodable records skipped)", latest.size(),
                ShareGroupConfig.STATE_TOPIC, p, skipped[0]);
        Loaded l = new Loaded(led.incarnation(), led.log(), latest, new HashMap<>());
        loaded.put(p, l);
        deleteStatesOf(l, k -> !partitions.topicExists(k.topicId()));
        return l;
    }
}
