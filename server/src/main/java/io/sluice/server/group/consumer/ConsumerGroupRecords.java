package io.sluice.server.group.consumer;

import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.CLASSIC_MEMBER_METADATA;
import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.CLASSIC_PROTOCOL;
import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.CURRENT_ASSIGNMENT_VALUE;
import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.EPOCH_VALUE;
import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.GROUP_KEY;
import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.MEMBER_KEY;
import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.MEMBER_VALUE;
import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.TARGET_MEMBER_VALUE;
import static io.sluice.server.group.log.ConsumerGroupRecordDescriptor.TOPIC_PARTITIONS;

import io.sluice.server.group.log.ConsumerGroupRecordDescriptor;
import io.sluice.server.group.log.GroupRecords;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.utils.internals.ByteUtils;

/**
 * Encodes and decodes the consumer group records of {@link ConsumerGroupRecordDescriptor}.
 * Stateless, thread-safe.
 */
public final class ConsumerGroupRecords {

    /** A decoded key: its record type, group and (member records) member id. */
    public record Key(short type, String groupId, String memberId) { }

    /** The stored current assignment of one member (value of type 8). */
    public record CurrentAssignment(int memberEpoch, int previousMemberEpoch, MemberState state,
                                    Map<Uuid, Set<Integer>> assigned, Map<Uuid, Set<Integer>> pendingRevocation) { }

    private ConsumerGroupRecords() { }

    public static GroupRecords.Record groupEpoch(String groupId, int epoch) {
        return new GroupRecords.Record(groupKey(ConsumerGroupRecordDescriptor.GROUP_METADATA, groupId),
                epochValue(epoch));
    }

    public static GroupRecords.Record targetEpoch(String groupId, int epoch) {
        return new GroupRecords.Record(groupKey(ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_METADATA, groupId),
                epochValue(epoch));
    }

    public static GroupRecords.Record groupTombstone(short type, String groupId) {
        return new GroupRecords.Record(groupKey(type, groupId), null);
    }

    public static GroupRecords.Record memberTombstone(short type, String groupId, String memberId) {
        return new GroupRecords.Record(memberKey(type, groupId, memberId), null);
    }

    public static GroupRecords.Record memberMetadata(String groupId, ConsumerMember m) {
        Struct s = new Struct(MEMBER_VALUE);
        s.set("instance_id", m.instanceId());
        s.set("rack_id", m.rackId());
        s.set("client_id", m.clientId());
        s.set("client_host", m.clientHost());
        s.set("subscribed_topic_names", m.subscribedTopicNames().toArray());
        s.set("subscribed_topic_regex", m.subscribedTopicRegex());
        s.set("rebalance_timeout_ms", m.rebalanceTimeoutMs());
        s.set("server_assignor", m.serverAssignor());
        TreeMap<Integer, Object> tagged = new TreeMap<>();
        if (m.classic() != null) {
            tagged.put(ConsumerGroupRecordDescriptor.CLASSIC_MEMBER_METADATA_TAG, new RawTaggedField(
                    ConsumerGroupRecordDescriptor.CLASSIC_MEMBER_METADATA_TAG, classicMetadata(m.classic())));
        }
        s.set("_tagged_fields", tagged);
        return new GroupRecords.Record(memberKey(ConsumerGroupRecordDescriptor.MEMBER_METADATA, groupId, m.memberId()),
                value(MEMBER_VALUE, s));
    }

    /** A present nullable struct in a tagged field: uvarint 1, then the struct (Kafka's generated layout). */
    private static byte[] classicMetadata(ClassicMemberMetadata c) {
        List<Struct> protocols = new ArrayList<>();
        for (ClassicMemberMetadata.Protocol p : c.protocols()) {
            Struct ps = new Struct(CLASSIC_PROTOCOL);
            ps.set("name", p.name());
            ps.set("metadata", ByteBuffer.wrap(p.metadata()));
            ps.set("_tagged_fields", new TreeMap<Integer, Object>());
            protocols.add(ps);
        }
        Struct s = new Struct(CLASSIC_MEMBER_METADATA);
        s.set("session_timeout_ms", c.sessionTimeoutMs());
        s.set("supported_protocols", protocols.toArray());
        s.set("_tagged_fields", new TreeMap<Integer, Object>());
        ByteBuffer b = ByteBuffer.allocate(1 + CLASSIC_MEMBER_METADATA.sizeOf(s));
        ByteUtils.writeUnsignedVarint(1, b);
        CLASSIC_MEMBER_METADATA.write(b, s);
        return b.array();
    }

    private static ClassicMemberMetadata readClassicMetadata(Struct member) {
        Object raw = ((NavigableMap<?, ?>) member.get("_tagged_fields"))
                .get(ConsumerGroupRecordDescriptor.CLASSIC_MEMBER_METADATA_TAG);
        if (raw == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(((RawTaggedField) raw).data());
        if (ByteUtils.readUnsignedVarint(b) <= 0) {
            return null;
        }
        Struct s = CLASSIC_MEMBER_METADATA.read(b);
        List<ClassicMemberMetadata.Protocol> protocols = new ArrayList<>();
        for (Object o : s.getArray("supported_protocols")) {
            Struct ps = (Struct) o;
            ByteBuffer m = (ByteBuffer) ps.get("metadata");
            byte[] bytes = new byte[m.remaining()];
            m.get(bytes);
            protocols.add(new ClassicMemberMetadata.Protocol(ps.getString("name"), bytes));
        }
        return new ClassicMemberMetadata(s.getInt("session_timeout_ms"), protocols);
    }

    public static GroupRecords.Record targetMember(String groupId, String memberId, Map<Uuid, Set<Integer>> target) {
        Struct s = new Struct(TARGET_MEMBER_VALUE);
        s.set("topic_partitions", topicPartitions(target));
        s.set("_tagged_fields", new TreeMap<Integer, Object>());
        return new GroupRecords.Record(memberKey(ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_MEMBER, groupId, memberId),
                value(TARGET_MEMBER_VALUE, s));
    }

    public static GroupRecords.Record currentAssignment(String groupId, ConsumerMember m) {
        Struct s = new Struct(CURRENT_ASSIGNMENT_VALUE);
        s.set("member_epoch", m.memberEpoch());
        s.set("previous_member_epoch", m.previousMemberEpoch());
        s.set("state", m.state().code());
        s.set("assigned_partitions", topicPartitions(m.assigned()));
        s.set("partitions_pending_revocation", topicPartitions(m.pendingRevocation()));
        s.set("_tagged_fields", new TreeMap<Integer, Object>());
        return new GroupRecords.Record(memberKey(ConsumerGroupRecordDescriptor.CURRENT_MEMBER_ASSIGNMENT, groupId,
                m.memberId()), value(CURRENT_ASSIGNMENT_VALUE, s));
    }

    /** @return the key's type, or -1 when the key is not one of the consumer group records */
    public static short keyType(byte[] key) {
        if (key == null || key.length < 2) {
            return -1;
        }
        short type = ByteBuffer.wrap(key).getShort();
        return ConsumerGroupRecordDescriptor.isConsumerGroupType(type) ? type : -1;
    }

    public static Key readKey(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key);
        short type = b.getShort();
        boolean member = type == ConsumerGroupRecordDescriptor.MEMBER_METADATA
                || type == ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_MEMBER
                || type == ConsumerGroupRecordDescriptor.CURRENT_MEMBER_ASSIGNMENT;
        Struct s = (member ? MEMBER_KEY : GROUP_KEY).read(b);
        return new Key(type, s.getString("group_id"), member ? s.getString("member_id") : null);
    }

    public static int readEpoch(byte[] value) {
        return read(EPOCH_VALUE, value).getInt("epoch");
    }

    /** The member metadata applied to {@code base} (epochs and partitions kept). */
    public static ConsumerMember readMemberMetadata(byte[] value, ConsumerMember base) {
        Struct s = read(MEMBER_VALUE, value);
        List<String> topics = Arrays.stream(s.getArray("subscribed_topic_names")).map(o -> (String) o).toList();
        return new ConsumerMember(base.memberId(), s.getString("instance_id"), s.getString("rack_id"),
                s.getString("client_id"), s.getString("client_host"), s.getInt("rebalance_timeout_ms"),
                s.getString("server_assignor"), topics, s.getString("subscribed_topic_regex"), base.memberEpoch(),
                base.previousMemberEpoch(), base.state(), base.assigned(), base.pendingRevocation(), readClassicMetadata(s));
    }

    public static Map<Uuid, Set<Integer>> readTargetMember(byte[] value) {
        return fromArray(read(TARGET_MEMBER_VALUE, value).getArray("topic_partitions"));
    }

    public static CurrentAssignment readCurrentAssignment(byte[] value) {
        Struct s = read(CURRENT_ASSIGNMENT_VALUE, value);
        return new CurrentAssignment(s.getInt("member_epoch"), s.getInt("previous_member_epoch"),
                MemberState.fromCode((Byte) s.get("state")), fromArray(s.getArray("assigned_partitions")),
                fromArray(s.getArray("partitions_pending_revocation")));
    }

    /** Topics by id and partitions ascending, so equal assignments are equal bytes. */
    private static Object[] topicPartitions(Map<Uuid, Set<Integer>> m) {
        List<Struct> out = new ArrayList<>();
        new TreeMap<>(m).forEach((t, ps) -> {
            Struct s = new Struct(TOPIC_PARTITIONS);
            s.set("topic_id", t);
            s.set("partitions", new TreeSet<>(ps).toArray());
            s.set("_tagged_fields", new TreeMap<Integer, Object>());
            out.add(s);
        });
        return out.toArray();
    }

    private static Map<Uuid, Set<Integer>> fromArray(Object[] array) {
        Map<Uuid, Set<Integer>> m = new HashMap<>();
        for (Object o : array) {
            Struct s = (Struct) o;
            Set<Integer> ps = new TreeSet<>();
            for (Object p : s.getArray("partitions")) {
                ps.add((Integer) p);
            }
            m.put((Uuid) s.get("topic_id"), ps);
        }
        return TopicPartitions.copyOf(m);
    }

    private static byte[] groupKey(short type, String groupId) {
        Struct s = new Struct(GROUP_KEY);
        s.set("group_id", groupId);
        return withVersion(type, GROUP_KEY, s);
    }

    private static byte[] memberKey(short type, String groupId, String memberId) {
        Struct s = new Struct(MEMBER_KEY);
        s.set("group_id", groupId);
        s.set("member_id", memberId);
        return withVersion(type, MEMBER_KEY, s);
    }

    private static byte[] epochValue(int epoch) {
        Struct s = new Struct(EPOCH_VALUE);
        s.set("epoch", epoch);
        s.set("_tagged_fields", new TreeMap<Integer, Object>());
        return value(EPOCH_VALUE, s);
    }

    private static byte[] value(Schema schema, Struct s) {
        return withVersion(ConsumerGroupRecordDescriptor.VALUE_VERSION, schema, s);
    }

    private static byte[] withVersion(short version, Schema schema, Struct s) {
        ByteBuffer b = ByteBuffer.allocate(2 + schema.sizeOf(s));
        b.putShort(version);
        schema.write(b, s);
        return b.array();
    }

    private static Struct read(Schema schema, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        short version = b.getShort();
        if (version != ConsumerGroupRecordDescriptor.VALUE_VERSION) {
            throw new IllegalArgumentException("unknown consumer group value version " + version);
        }
        return schema.read(b);
    }
}
