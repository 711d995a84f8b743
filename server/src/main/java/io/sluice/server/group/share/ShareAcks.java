package io.sluice.server.group.share;

import io.sluice.metadata.image.TopicImage;
import io.sluice.replication.Partition;
import io.sluice.replication.ReplicaManager;
import io.sluice.server.handler.HandlerContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * What ShareFetch and ShareAcknowledge share: finding the share-partition of a (topic id,
 * partition) led here, and applying a member's acknowledgements, then persisting the changed
 * share-partitions before the answer goes out (an acknowledged record stays acknowledged after a
 * restart). Thread-safe.
 */
final class ShareAcks {

    /** One acknowledgement batch of a request (first/last offset and the types). */
    record Batch(long firstOffset, long lastOffset, List<Byte> types) { }

    /** A requested partition resolved: its leader {@code partition} and share-partition, or the error. */
    record Resolved(TopicIdPartition tp, Partition partition, SharePartition share, ShareStateRecords.Key key,
                    Errors error, String message) {
        boolean ok() {
            return error == Errors.NONE;
        }
    }

    private final HandlerContext ctx;
    private final SharePartitionManager manager;

    ShareAcks(HandlerContext ctx, SharePartitionManager manager) {
        this.ctx = ctx;
        this.manager = manager;
    }

    SharePartitionManager manager() {
        return manager;
    }

    Resolved resolve(String groupId, Uuid topicId, int partition) {
        TopicIdPartition tp = new TopicIdPartition(topicId, partition, null);
        TopicImage t = ctx.metadata().image().topic(new UUID(topicId.getMostSignificantBits(),
                topicId.getLeastSignificantBits()));
        if (t == null) {
            return new Resolved(tp, null, null, null, Errors.UNKNOWN_TOPIC_ID, null);
        }
        tp = new TopicIdPartition(topicId, partition, t.name());
        if (t.partition(partition) == null) {
            return new Resolved(tp, null, null, null, Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        }
        ReplicaManager.Lookup held = ctx.replicas().leader(t.name(), partition, -1);
        if (held.partition() == null || held.errorCode() != Errors.NONE.code()) {
            Errors e = held.errorCode() == Errors.NONE.code() ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.forCode(held.errorCode());
            return new Resolved(tp, null, null, null, e, null);
        }
        Partition p = held.partition();
        ShareStateRecords.Key key = new ShareStateRecords.Key(groupId, topicId, partition);
        SharePartitionManager.Lookup sl = manager.get(key, p, p.leaderEpoch(),
                strategy -> ShareAutoOffsetReset.startOffset(strategy, p, ctx.clock().millis()));
        if (sl.error() != Errors.NONE) {
            return new Resolved(tp, p, null, key, sl.error(), sl.message());
        }
        return new Resolved(tp, p, sl.partition(), key, Errors.NONE, null);
    }

    /**
     * Applies each partition's batches for {@code memberId} and persists the share-partitions
     * changed; completes with each partition's acknowledgement error once the writes are done.
     */
    CompletableFuture<Map<TopicIdPartition, Errors>> apply(String groupId, String memberId,
                                                          Map<TopicIdPartition, List<Batch>> acks) {
        Map<TopicIdPartition, Errors> result = new LinkedHashMap<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (Map.Entry<TopicIdPartition, List<Batch>> e : acks.entrySet()) {
            Resolved r = resolve(groupId, e.getKey().topicId(), e.getKey().partition());
            if (!r.ok()) {
                synchronized (result) {
                    result.put(e.getKey(), r.error());
                }
                continue;
            }
            Errors err = Errors.NONE;
            for (Batch b : e.getValue()) {
                Errors one = r.share().acknowledge(memberId, b.firstOffset(), b.lastOffset(), b.types());
                if (err == Errors.NONE) {
                    err = one;
                }
            }
            synchronized (result) {
                // a write of an earlier partition may be completing on another thread
                result.put(e.getKey(), err);
            }
            TopicIdPartition tp = e.getKey();
            writes.add(manager.persist(r.key(), r.share()).handle((code, t) -> {
                // Not persisted is not acknowledged: the answer says so.
                Errors failed = t != null ? Errors.UNKNOWN_SERVER_ERROR : notPersisted(Errors.forCode(code));
                if (failed != Errors.NONE) {
                    synchronized (result) {
                        result.put(tp, failed);
                    }
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((x, t) -> {
            synchronized (result) {
                return new LinkedHashMap<>(result);
            }
        });
    }

    /** The acknowledgement error for a write its coordinator could not take now (it moved, is loading, or is away). */
    private static Errors notPersisted(Errors e) {
        return e == Errors.NOT_LEADER_OR_FOLLOWER || e == Errors.NOT_COORDINATOR || e == Errors.COORDINATOR_LOAD_IN_PROGRESS
                ? Errors.COORDINATOR_NOT_AVAILABLE : e;
    }

    /**
     * The member's session ended: records it holds in these partitions go back (and are persisted),
     * and the share-partitions no other session of the group uses are dropped once written, so the
     * next fetch reads their state again (it may have been reset or deleted meanwhile, by the group's
     * coordinator on another broker).
     */
    void releaseAll(String groupId, String memberId, Iterable<TopicIdPartition> partitions,
                    Set<TopicIdPartition> unusedByGroup) {
        for (TopicIdPartition tp : partitions) {
            ShareStateRecords.Key key = new ShareStateRecords.Key(groupId, tp.topicId(), tp.partition());
            SharePartition sp = manager.peek(key);
            if (sp != null) {
                sp.releaseAll(memberId);
                manager.persist(key, sp);
                if (unusedByGroup.contains(tp)) {
                    manager.invalidate(key);
                }
            }
        }
    }
}
