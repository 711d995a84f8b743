package io.sluice.server.group.share;

import io.sluice.server.group.log.GroupRecords;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.internals.ByteUtils;

/**
 * Share group records of {@code __consumer_offsets} in Kafka's layout (group-coordinator's
 * generated records, framed as CoordinatorRecordSerde frames them: an int16 record type before the
 * key, an int16 version before the value; a null value is a tombstone):
 *
 * <pre>
 * type 10 ShareGroupMemberMetadata   key: group (int16 string), member (int16 string)
 *                                    value v0 (flexible): rack (compact nullable string), client id,
 *                                    client host (compact strings), subscribed topic names
 *                                    (compact array of compact strings), tagged fields
 * type 11 ShareGroupMetadata         key: group
 *                                    value v0 (flexible): epoch (int32), metadata hash (int64), tags
 * type 14 ShareGroupCurrentMemberAssignment key: group, member
 *                                    value v0 (flexible): member epoch (int32), previous member
 *                                    epoch (int32), state (int8, 0 = stable), assigned partitions
 *                                    (compact array of [topic id (uuid), partitions (compact array
 *                                    of int32), tags]), tags
 * </pre>
 *
 * Sluice writes the metadata hash as 0: it recomputes the assignment from the metadata image after
 * a load. Kafka's target assignment records (types 12, 13) are not written, since a share group's
 * assignment follows from its members and topics. {@code ShareGroupRecordsKafkaLayoutTest} checks
 * the bytes against Kafka's classes. Stateless, thread-safe.
 */
public final class ShareGroupRecords {

    public static final short MEMBER_METADATA = 10;
    public static final short GROUP_METADATA = 11;
    public static final short CURRENT_MEMBER_ASSIGNMENT = 14;

    /** A decoded key: its record type, group and (types 10 and 14) member. */
    public record Key(short type, String groupId, String memberId) { }

    public record MemberValue(String rackId, String clientId, String clientHost, List<String> subscribedTopics) { }

    public record AssignmentValue(int memberEpoch, int previousMemberEpoch, Map<Uuid, Set<Integer>> assignment) { }

    private ShareGroupRecords() { }

    /** Whether a {@code __consumer_offsets} key is one of these records. */
    public static boolean isShareGroupKey(byte[] key) {
        if (key.length < 2) {
            return false;
        }
        short type = ByteBuffer.wrap(key).getShort();
        return type == MEMBER_METADATA || type == GROUP_METADATA || type == CURRENT_MEMBER_ASSIGNMENT;
    }

    public static byte[] key(short type, String groupId, String memberId) {
        byte[] g = groupId.getBytes(StandardCharsets.UTF_8);
        byte[] m = memberId == null ? new byte[0] : memberId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length + (memberId == null ? 0 : 2 + m.length));
        b.putShort(type).putShort((short) g.length).put(g);
        if (memberId != null) {
            b.putShort((short) m.length).put(m);
        }
        return b.array();
    }

    public static Key readKey(ByteBuffer b) {
        short type = b.getShort();
        String group = int16String(b);
        return new Key(type, group, type == GROUP_METADATA ? null : int16String(b));
    }

    public static GroupRecords.Record groupMetadata(String groupId, int epoch) {
        Out o = new Out();
        o.int32(epoch);
        o.int64(0);
        o.uvarint(0);
        return new GroupRecords.Record(key(GROUP_METADATA, groupId, null), o.bytes());
    }

    public static GroupRecords.Record memberMetadata(String groupId, String memberId, MemberValue v) {
        Out o = new Out();
        o.compactString(v.rackId());
        o.compactString(v.clientId());
        o.compactString(v.clientHost());
        o.uvarint(v.subscribedTopics().size() + 1);
        v.subscribedTopics().forEach(o::compactString);
        o.uvarint(0);
        return new GroupRecords.Record(key(MEMBER_METADATA, groupId, memberId), o.bytes());
    }

    public static GroupRecords.Record assignment(String groupId, String memberId, AssignmentValue v) {
        Out o = new Out();
        o.int32(v.memberEpoch());
        o.int32(v.previousMemberEpoch());
        o.b.write(0);
        o.uvarint(v.assignment().size() + 1);
        for (Map.Entry<Uuid, Set<Integer>> e : v.assignment().entrySet()) {
            o.int64(e.getKey().getMostSignificantBits());
            o.int64(e.getKey().getLeastSignificantBits());
            o.uvarint(e.getValue().size() + 1);
            e.getValue().forEach(o::int32);
            o.uvarint(0);
        }
        o.uvarint(0);
        return new GroupRecords.Record(key(CURRENT_MEMBER_ASSIGNMENT, groupId, memberId), o.bytes());
    }

    public static GroupRecords.Record tombstone(short type, String groupId, String memberId) {
        return new GroupRecords.Record(key(type, groupId, memberId), null);
    }

    public static int readGroupEpoch(ByteBuffer b) {
        version(b);
        return b.getInt();
    }

    public static MemberValue readMember(ByteBuffer b) {
        version(b);
        String rack = compactString(b);
        String clientId = compactString(b);
        String host = compactString(b);
        int n = ByteUtils.readUnsignedVarint(b) - 1;
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            topics.add(compactString(b));
        }
        return new MemberValue(rack, clientId, host, topics);
    }

    public static AssignmentValue readAssignment(ByteBuffer b) {
        version(b);
        int epoch = b.getInt();
        int previous = b.getInt();
        b.get();
        int n = ByteUtils.readUnsignedVarint(b) - 1;
        Map<Uuid, Set<Integer>> assignment = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Uuid topic = new Uuid(b.getLong(), b.getLong());
            int m = ByteUtils.readUnsignedVarint(b) - 1;
            Set<Integer> partitions = new TreeSet<>();
            for (int j = 0; j < m; j++) {
                partitions.add(b.getInt());
            }
            ShareStateRecords.skipTaggedFields(b);
            assignment.put(topic, partitions);
        }
        return new AssignmentValue(epoch, previous, assignment);
    }

    private static void version(ByteBuffer b) {
        short v = b.getShort();
        if (v != 0) {
            throw new IllegalArgumentException("share group record value version " + v);
        }
    }

    private static String int16String(ByteBuffer b) {
        byte[] s = new byte[b.getShort()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static String compactString(ByteBuffer b) {
        int n = ByteUtils.readUnsignedVarint(b) - 1;
        if (n < 0) {
            return null;
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /** A value being written: the version (0), then the fields. */
    private static final class Out {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Out() {
            b.write(0);
            b.write(0);
        }

        void int32(int v) {
            b.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
        }

        void int64(long v) {
            b.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
        }

        void uvarint(int v) {
            ByteBuffer varint = ByteBuffer.allocate(ByteUtils.sizeOfUnsignedVarint(v));
            ByteUtils.writeUnsignedVarint(v, varint);
            b.writeBytes(varint.array());
        }

        void compactString(String s) {
            if (s == null) {
                uvarint(0);
                return;
            }
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            uvarint(bytes.length + 1);
            b.writeBytes(bytes);
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }
}
