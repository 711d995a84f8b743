package io.sluice.server.group.log;

import org.apache.kafka.common.protocol.types.CompactArrayOf;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Type;

/**
 * Layout of the KIP-848 consumer group records in {@code __consumer_offsets}: Kafka 4.4's
 * group-coordinator record schemas, so {@code kafka-dump-log --offsets-decoder} reads them and a
 * Kafka coordinator could load them. A key is a big-endian int16 record type then the key
 * fields, non-flexible (strings int16 length + UTF-8). A value is an int16 version (0) then the
 * fields, flexible (compact strings and arrays: unsigned varint length + 1, a trailing tagged
 * fields section, written empty). A null value is a tombstone.
 *
 * <pre>
 * type 3  ConsumerGroupMetadata          key: group            value: epoch i32
 * type 5  ConsumerGroupMemberMetadata    key: group, member    value: instance_id (c.n.str), rack_id (c.n.str),
 *                                          client_id (c.str), client_host (c.str), subscribed_topic_names
 *                                          (c.array c.str), subscribed_topic_regex (c.n.str),
 *                                          rebalance_timeout_ms i32, server_assignor (c.n.str),
 *                                          tag 0 (classic-protocol members only): classic_member_metadata =
 *                                          uvarint 1 (present) then session_timeout_ms i32,
 *                                          supported_protocols (c.array {name c.str, metadata c.bytes})
 * type 6  ConsumerGroupTargetAssignmentMetadata  key: group   value: assignment_epoch i32
 * type 7  ConsumerGroupTargetAssignmentMember    key: group, member
 *                                          value: topic_partitions (c.array {topic_id uuid, partitions c.array i32})
 * type 8  ConsumerGroupCurrentMemberAssignment   key: group, member
 *                                          value: member_epoch i32, previous_member_epoch i32, state i8,
 *                                          assigned_partitions (as above), partitions_pending_revocation (as above)
 * </pre>
 *
 * Types 4 (partition metadata, superseded in Kafka 4.1 by a metadata hash) and 16 (resolved
 * regular expressions) are not written: the coordinator resolves subscriptions against the live
 * metadata image. Constants only; thread-safe.
 */
public final class ConsumerGroupRecordDescriptor {

    public static final short GROUP_METADATA = 3;
    public static final short MEMBER_METADATA = 5;
    public static final short TARGET_ASSIGNMENT_METADATA = 6;
    public static final short TARGET_ASSIGNMENT_MEMBER = 7;
    public static final short CURRENT_MEMBER_ASSIGNMENT = 8;
    public static final short VALUE_VERSION = 0;

    public static final Schema GROUP_KEY = new Schema(new Field("group_id", Type.STRING));
    public static final Schema MEMBER_KEY = new Schema(new Field("group_id", Type.STRING),
            new Field("member_id", Type.STRING));

    public static final Schema EPOCH_VALUE = new Schema(new Field("epoch", Type.INT32), Field.TaggedFieldsSection.of());
    public static final Schema MEMBER_VALUE = new Schema(
            new Field("instance_id", Type.COMPACT_NULLABLE_STRING),
            new Field("rack_id", Type.COMPACT_NULLABLE_STRING),
            new Field("client_id", Type.COMPACT_STRING),
            new Field("client_host", Type.COMPACT_STRING),
            new Field("subscribed_topic_names", new CompactArrayOf(Type.COMPACT_STRING)),
            new Field("subscribed_topic_regex", Type.COMPACT_NULLABLE_STRING),
            new Field("rebalance_timeout_ms", Type.INT32),
            new Field("server_assignor", Type.COMPACT_NULLABLE_STRING),
            Field.TaggedFieldsSection.of());
    /** The tagged field of {@link #MEMBER_VALUE} holding a classic-protocol member's metadata. */
    public static final int CLASSIC_MEMBER_METADATA_TAG = 0;
    public static final Schema CLASSIC_PROTOCOL = new Schema(
            new Field("name", Type.COMPACT_STRING),
            new Field("metadata", Type.COMPACT_BYTES),
            Field.TaggedFieldsSection.of());
    public static final Schema CLASSIC_MEMBER_METADATA = new Schema(
            new Field("session_timeout_ms", Type.INT32),
            new Field("supported_protocols", new CompactArrayOf(CLASSIC_PROTOCOL)),
            Field.TaggedFieldsSection.of());
    public static final Schema TOPIC_PARTITIONS = new Schema(
            new Field("topic_id", Type.UUID),
            new Field("partitions", new CompactArrayOf(Type.INT32)),
            Field.TaggedFieldsSection.of());
    public static final Schema TARGET_MEMBER_VALUE = new Schema(
            new Field("topic_partitions", new CompactArrayOf(TOPIC_PARTITIONS)),
            Field.TaggedFieldsSection.of());
    public static final Schema CURRENT_ASSIGNMENT_VALUE = new Schema(
            new Field("member_epoch", Type.INT32),
            new Field("previous_member_epoch", Type.INT32),
            new Field("state", Type.INT8),
            new Field("assigned_partitions", new CompactArrayOf(TOPIC_PARTITIONS)),
            new Field("partitions_pending_revocation", new CompactArrayOf(TOPIC_PARTITIONS)),
            Field.TaggedFieldsSection.of());

    private ConsumerGroupRecordDescriptor() { }

    /** Whether a key's record type is one of the consumer group records above. */
    public static boolean isConsumerGroupType(short type) {
        return type == GROUP_METADATA || type == MEMBER_METADATA || type == TARGET_ASSIGNMENT_METADATA
                || type == TARGET_ASSIGNMENT_MEMBER || type == CURRENT_MEMBER_ASSIGNMENT;
    }
}
