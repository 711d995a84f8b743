package io.sluice.server.group.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes the records of {@code __consumer_offsets} in the layout of
 * {@link GroupRecordDescriptor}. Stateless, thread-safe.
 */
public final class GroupRecords {

    /** One record to append or read back: a key and a value (null = tombstone). */
    public record Record(byte[] key, byte[] value) { }

    /** A committed offset as stored. */
    public record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimestampMs) { }

    /** A member as stored in the group metadata value. */
    public record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                              int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) { }

    /** The group metadata value. */
    public record GroupValue(String protocolType, int generation, String protocol, String leader,
                             long currentStateTimestampMs, List<MemberValue> members) { }

    /** A decoded key: either an offset commit key (topic != null) or a group metadata key. */
    public record Key(String group, String topic, int partition) {
        public boolean isOffsetCommit() {
            return topic != null;
        }
    }

    private GroupRecords() { }

    public static byte[] offsetCommitKey(String group, String topic, int partition) {
        ByteBuffer b = ByteBuffer.allocate(2 + strLen(group) + strLen(topic) + 4);
        b.putShort(GroupRecordDescriptor.OFFSET_COMMIT_KEY_V1);
        putString(b, group);
        putString(b, topic);
        b.putInt(partition);
        return b.array();
    }

    public static byte[] groupMetadataKey(String group) {
        ByteBuffer b = ByteBuffer.allocate(2 + strLen(group));
        b.putShort(GroupRecordDescriptor.GROUP_METADATA_KEY);
        putString(b, group);
        return b.array();
    }

    public static byte[] offsetCommitValue(OffsetValue v) {
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 4 + strLen(v.metadata()) + 8);
        b.putShort(GroupRecordDescriptor.OFFSET_COMMIT_VALUE_VERSION);
        b.putLong(v.offset());
        b.putInt(v.leaderEpoch());
        putString(b, v.metadata());
        b.putLong(v.commitTimestampMs());
        return b.array();
    }

    public static byte[] groupMetadataValue(GroupValue g) {
        int size = 2 + strLen(g.protocolType()) + 4 + strLen(g.protocol()) + strLen(g.leader()) + 8 + 4;
        for (MemberValue m : g.members()) {
            size += strLen(m.memberId()) + strLen(m.groupInstanceId()) + strLen(m.clientId()) + strLen(m.clientHost())
                    + 4 + 4 + 4 + m.subscription().length + 4 + m.assignment().length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort(GroupRecordDescriptor.GROUP_METADATA_VALUE_VERSION);
        putString(b, g.protocolType());
        b.putInt(g.generation());
        putString(b, g.protocol());
        putString(b, g.leader());
        b.putLong(g.currentStateTimestampMs());
        b.putInt(g.members().size());
        for (MemberValue m : g.members()) {
            putString(b, m.memberId());
            putString(b, m.groupInstanceId());
            putString(b, m.clientId());
            putString(b, m.clientHost());
            b.putInt(m.rebalanceTimeoutMs());
            b.putInt(m.sessionTimeoutMs());
            putBytes(b, m.subscription());
            putBytes(b, m.assignment());
        }
        return b.array();
    }

    /** @return the decoded key; throws {@link IllegalArgumentException} for an unknown key version */
    public static Key readKey(ByteBuffer key) {
        ByteBuffer b = key.duplicate();
        short version = b.getShort();
        if (version == GroupRecordDescriptor.OFFSET_COMMIT_KEY_V0 || version == GroupRecordDescriptor.OFFSET_COMMIT_KEY_V1) {
            return new Key(getString(b), getString(b), b.getInt());
        }
        if (version == GroupRecordDescriptor.GROUP_METADATA_KEY) {
            return new Key(getString(b), null, -1);
        }
        throw new IllegalArgumentException("unknown __consumer_offsets key version " + version);
    }

    public static OffsetValue readOffsetValue(ByteBuffer value) {
        ByteBuffer b = value.duplicate();
        short version = b.getShort();
        long offset = b.getLong();
        int epoch = version >= 3 ? b.getInt() : -1;
        String metadata = getString(b);
        long ts = b.getLong();
        if (version > 4) {
            throw new IllegalArgumentException("unknown offset commit value version " + version);
        }
        return new OffsetValue(offset, epoch, metadata, ts);
    }

    public static GroupValue readGroupValue(ByteBuffer value) {
        ByteBuffer b = value.duplicate();
        short version = b.getShort();
        if (version < 0 || version > 3) {
            throw new IllegalArgumentException("unknown group metadata value version " + version);
        }
        String protocolType = getString(b);
        int generation = b.getInt();
        String protocol = getString(b);
        String leader = getString(b);
        long ts = version >= 2 ? b.getLong() : -1L;
        int n = b.getInt();
        List<MemberValue> members = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            String memberId = getString(b);
            String instanceId = version >= 3 ? getString(b) : null;
            String clientId = getString(b);
            String clientHost = getString(b);
            int rebalance = version >= 1 ? b.getInt() : -1;
            int session = b.getInt();
            members.add(new MemberValue(memberId, instanceId, clientId, clientHost, rebalance == -1 ? session : rebalance,
                    session, getBytes(b), getBytes(b)));
        }
        return new GroupValue(protocolType, generation, protocol, leader, ts, members);
    }

    private static int strLen(String s) {
        return 2 + (s == null ? 0 : utf8(s).length);
    }

    private static byte[] utf8(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > GroupRecordDescriptor.STRING_BYTES_MAX) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes does not fit an int16 length");
        }
        return bytes;
    }

    private static void putString(ByteBuffer b, String s) {
        if (s == null) {
            b.putShort((short) -1);
            return;
        }
        byte[] bytes = utf8(s);
        b.putShort((short) bytes.length);
        b.put(bytes);
    }

    private static void putBytes(ByteBuffer b, byte[] bytes) {
        b.putInt(bytes.length);
        b.put(bytes);
    }

    private static String getString(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] getBytes(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0) {
            return new byte[0];
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return bytes;
    }
}
