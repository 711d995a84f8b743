package io.sluice.server.group.share;

import io.sluice.server.group.log.GroupLog;
import io.sluice.server.group.log.GroupRecords;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-partition state in {@code __share_group_state}, written and read directly by this broker
 * (Kafka's share coordinator does the same through Read/WriteShareGroupState). A share-partition's
 * state lives in partition {@code abs(hash("group:topicId:partition")) % share.coordinator.state.topic.num.partitions}
 * (Kafka's rule); that partition must be led here. Each state partition is read once per
 * leadership (the last snapshot of each key wins) and then kept in memory beside the writes. Each
 * snapshot is a share-partition's whole state and a deleted state gets a tombstone, so the topic
 * is kept small by the log cleaner ({@code cleanup.policy=compact}) and a cleaned partition reads
 * back the same states. Thread-safe: synchronized, and an append is issued under the lock so log
 * order is call order.
 */
public final class ShareStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(ShareStateStore.class);

    /** Where the partitions of {@code __share_group_state} come from. */
    public interface StatePartitions {
        /** @return the partition's log when led here (incarnation changes with leadership), else null */
        Led lookup(int partition);

        /** Creates the topic if it does not exist yet (asynchronous); true once it exists. */
        boolean ensureTopic();

        /** Whether the metadata names another broker the partition's leader. */
        boolean ledElsewhere(int partition);

        record Led(GroupLog log, Object incarnation) { }
    }

    /** A read: the error, or the last snapshot (null when the share-partition has none). */
    public record Read(Errors error, String message, ShareStateRecords.Snapshot snapshot) { }

    /** A state partition read here: its log and its latest snapshots. */
    private record Loaded(Object incarnation, GroupLog log,
                          Map<ShareStateRecords.Key, ShareStateRecords.Snapshot> latest) { }

    private final StatePartitions partitions;
    private final int numPartitions;
    private final Map<Integer, Loaded> loaded = new HashMap<>();

    public ShareStateStore(StatePartitions partitions, int numPartitions) {
        this.partitions = partitions;
        this.numPartitions = numPartitions;
    }

    /** Kafka's SharePartitionKey coordinator key, hashed as the share coordinator places it. */
    public int partitionFor(ShareStateRecords.Key k) {
        int h = (k.groupId() + ":" + k.topicId() + ":" + k.partition()).hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % numPartitions;
    }

    /**
     * The last snapshot of {@code k}. COORDINATOR_LOAD_IN_PROGRESS while the topic is being created or
     * its partition is becoming led here (the caller waits), COORDINATOR_NOT_AVAILABLE when another
     * broker leads it.
     */
    public synchronized Read read(ShareStateRecords.Key k) {
        int p = partitionFor(k);
        Loaded l = load(p);
        if (l == null) {
            return partitions.ledElsewhere(p) ? new Read(Errors.COORDINATOR_NOT_AVAILABLE, notHere(p), null)
                    : new Read(Errors.COORDINATOR_LOAD_IN_PROGRESS, null, null);
        }
        return new Read(Errors.NONE, null, l.latest().get(k));
    }

    /** Appends a snapshot (acks=all); the future holds the append's Kafka error code. */
    public synchronized CompletableFuture<Short> write(ShareStateRecords.Key k, ShareStateRecords.Snapshot s) {
        int p = partitionFor(k);
        Loaded l = load(p);
        if (l == null) {
            return CompletableFuture.completedFuture(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        l.latest().put(k, s);
        return l.log().append(List.of(new GroupRecords.Record(ShareStateRecords.key(k), ShareStateRecords.value(s))));
    }

    /** Every share-partition state of {@code groupId} in the state partitions led here. */
    public synchronized Map<ShareStateRecords.Key, ShareStateRecords.Snapshot> groupStates(String groupId) {
        Map<ShareStateRecords.Key, ShareStateRecords.Snapshot> out = new HashMap<>();
        for (int p = 0; p < numPartitions; p++) {
            Loaded l = load(p);
            if (l != null) {
                l.latest().forEach((k, v) -> {
                    if (k.groupId().equals(groupId)) {
                        out.put(k, v);
                    }
                });
            }
        }
        return out;
    }

    /** Appends a tombstone for {@code k} (its state is gone); the future holds the append's error code. */
    public synchronized CompletableFuture<Short> delete(ShareStateRecords.Key k) {
        int p = partitionFor(k);
        Loaded l = load(p);
        if (l == null) {
            return CompletableFuture.completedFuture(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        l.latest().remove(k);
        return l.log().append(List.of(new GroupRecords.Record(ShareStateRecords.key(k), null)));
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
        if (cur != null && cur.incarnation() == led.incarnation()) {
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
        Loaded l = new Loaded(led.incarnation(), led.log(), latest);
        loaded.put(p, l);
        return l;
    }

    private static String notHere(int p) {
        return "the share state partition " + ShareGroupConfig.STATE_TOPIC + "-" + p + " is led by another broker: "
                + "Sluice does not forward share state between brokers yet";
    }
}
