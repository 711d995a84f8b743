package io.sluice.server.group.share;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.internals.ByteUtils;

/**
 * The records of {@code __share_group_state} in Kafka's layout (share-coordinator's
 * ShareSnapshotKey / ShareSnapshotValue, framed as Kafka's CoordinatorRecordSerde frames them):
 *
 * <pre>
 * key   (ShareSnapshotKey, record type 0, version 0, not flexible)
 *  0                   1                   2                   3
 * +-------------------------------+-------------------------------+
 * | record type = 0 (int16)       | group id length (int16)       |
 * +-------------------------------+-------------------------------+
 * | group id (UTF-8) ...                                          |
 * +---------------------------------------------------------------+
 * | topic id (16 bytes, uuid)                                     |
 * +---------------------------------------------------------------+
 * | partition (int32)                                             |
 * +---------------------------------------------------------------+
 *
 * value (ShareSnapshotValue version 0, flexible)
 * +-------------------------------+-------------------------------+
 * | value version = 0 (int16)     | snapshot epoch (int32) ...    |
 * | state epoch (int32) | leader epoch (int32) | start offset (int64)
 * | create timestamp (int64) | write timestamp (int64)           |
 * | state batches: uvarint n+1, then n x [first offset (int64),   |
 * |   last offset (int64), delivery state (int8: 0 available,     |
 * |   2 acknowledged, 4 archived), delivery count (int16), 0x00]  |
 * | tagged fields: 0x00 (DeliveryCompleteCount left at -1)        |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Only snapshots are written (each one the whole state of its share-partition), so the last one
 * of a key is its state; Kafka's ShareUpdate records (type 1) are skipped on read: Sluice never
 * writes them. {@code ShareStateRecordsKafkaLayoutTest} checks the bytes against Kafka's
 * generated classes. Stateless, thread-safe.
 */
public final class ShareStateRecords {

    static final short SNAPSHOT_KEY_TYPE = 0;
    static final short UPDATE_KEY_TYPE = 1;
    static final short SNAPSHOT_VALUE_VERSION = 0;

    /** Which share-partition a record is about (Kafka's SharePartitionKey). */
    public record Key(String groupId, Uuid topicId, int partition) {

        /** Its partition of {@code __share_group_state}, placed as Kafka's share coordinator places it. */
        public int statePartition(int numPartitions) {
            int h = toString().hashCode();
            return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % numPartitions;
        }

        /** A share coordinator key {@code groupId:topicId:partition} (FindCoordinator); null when malformed. */
        public static Key parse(String key) {
            int last = key == null ? -1 : key.lastIndexOf(':');
            int topic = last <= 0 ? -1 : key.lastIndexOf(':', last - 1);
            if (topic <= 0) {
                return null;
            }
            try {
                Uuid topicId = Uuid.fromString(key.substring(topic + 1, last));
                int partition = Integer.parseInt(key.substring(last + 1));
                return partition < 0 || Uuid.ZERO_UUID.equals(topicId) ? null
                        : new Key(key.substring(0, topic), topicId, partition);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        /** {@code groupId:topicId:partition}, the form Kafka hashes and FindCoordinator carries. */
        @Override
        public String toString() {
            return groupId + ":" + topicId + ":" + partition;
        }
    }

    /** One persisted snapshot of a share-partition. */
    public record Snapshot(int snapshotEpoch, int stateEpoch, int leaderEpoch, long startOffset, long createTimestampMs,
                           long writeTimestampMs, List<SharePartition.StateBatch> batches) { }

    private ShareStateRecords() { }

    public static byte[] key(Key k) {
        byte[] group = k.groupId().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + group.length + 16 + 4);
        b.putShort(SNAPSHOT_KEY_TYPE);
        b.putShort((short) group.length).put(group);
        b.putLong(k.topicId().getMostSignificantBits()).putLong(k.topicId().getLeastSignificantBits());
        b.putInt(k.partition());
        return b.array();
    }

    public static byte[] value(Snapshot s) {
        ByteBuffer b = ByteBuffer.allocate(2 + 4 + 4 + 4 + 8 + 8 + 8 + 5 + s.batches().size() * 20 + 1);
        b.putShort(SNAPSHOT_VALUE_VERSION);
        b.putInt(s.snapshotEpoch()).putInt(s.stateEpoch()).putInt(s.leaderEpoch()).putLong(s.startOffset())
                .putLong(s.createTimestampMs()).putLong(s.writeTimestampMs());
        ByteUtils.writeUnsignedVarint(s.batches().size() + 1, b);
        for (SharePartition.StateBatch sb : s.batches()) {
            b.putLong(sb.firstOffset()).putLong(sb.lastOffset()).put(sb.state().id).putShort(sb.deliveryCount());
            b.put((byte) 0);
        }
        b.put((byte) 0);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** @return the key of a snapshot record, or null for any other record type (ShareUpdate) */
    public static Key readKey(ByteBuffer b) {
        short type = b.getShort();
        if (type != SNAPSHOT_KEY_TYPE) {
            return null;
        }
        byte[] group = new byte[b.getShort()];
        b.get(group);
        Uuid topic = new Uuid(b.getLong(), b.getLong());
        return new Key(new String(group, StandardCharsets.UTF_8), topic, b.getInt());
    }

    public static Snapshot readValue(ByteBuffer b) {
        short version = b.getShort();
        if (version != SNAPSHOT_VALUE_VERSION) {
            throw new IllegalArgumentException("ShareSnapshotValue version " + version);
        }
        int snapshotEpoch = b.getInt();
        int stateEpoch = b.getInt();
        int leaderEpoch = b.getInt();
        long start = b.getLong();
        long created = b.getLong();
        long written = b.getLong();
        int n = ByteUtils.readUnsignedVarint(b) - 1;
        List<SharePartition.StateBatch> batches = new ArrayList<>(Math.max(0, n));
        for (int i = 0; i < n; i++) {
            long first = b.getLong();
            long last = b.getLong();
            SharePartition.RecordState state = SharePartition.RecordState.forId(b.get());
            short count = b.getShort();
            skipTaggedFields(b);
            batches.add(new SharePartition.StateBatch(first, last, state, count));
        }
        skipTaggedFields(b);
        return new Snapshot(snapshotEpoch, stateEpoch, leaderEpoch, start, created, written, batches);
    }

    /** Kafka's unsigned varint (7 bits per byte, low first, high bit = more). */
    /** Skips a flexible version's tagged fields (none are read here). */
    static void skipTaggedFields(ByteBuffer b) {
        int n = ByteUtils.readUnsignedVarint(b);
        for (int i = 0; i < n; i++) {
            ByteUtils.readUnsignedVarint(b);
            int size = ByteUtils.readUnsignedVarint(b);
            b.position(b.position() + size);
        }
    }
}
