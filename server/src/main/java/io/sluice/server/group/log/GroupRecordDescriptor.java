package io.sluice.server.group.log;

/**
 * Layout of the records the group coordinator writes to {@code __consumer_offsets}: Kafka's own
 * key and value layouts (group-coordinator {@code OffsetCommitKey}/{@code OffsetCommitValue} and
 * {@code GroupMetadataKey}/{@code GroupMetadataValue}, non-flexible versions), so Kafka's
 * {@code kafka-dump-log --offsets-decoder} reads a Sluice offsets log. Every key and value starts
 * with a big-endian int16 version; strings are int16 length + UTF-8 (nullable: length -1); bytes
 * are int32 length + bytes; arrays are int32 count + elements. A null value is a tombstone.
 *
 * <pre>
 * Offset commit key (key version 1; 0 is read too); byte offsets after the version depend on the
 * string lengths, so none is a constant:
 *  0               2               ...             ...
 * +---------------+---------------+---------------+---------------+
 * | version=1     | group (str)   | topic (str)   | partition i32 |
 * +---------------+---------------+---------------+---------------+
 *
 * Offset commit value (version 3 written; 0, 1 and 3 read):
 * +-----------+-------------+------------------+----------------+--------------------+
 * | version=3 | offset i64  | leaderEpoch i32  | metadata (str) | commitTimestamp i64|
 * +-----------+-------------+------------------+----------------+--------------------+
 *   v0: no leaderEpoch; v1: no leaderEpoch, expireTimestamp i64 after commitTimestamp
 *
 * Group metadata key (key version 2):
 * +-----------+-------------+
 * | version=2 | group (str) |
 * +-----------+-------------+
 *
 * Group metadata value (version 3):
 * +-----------+--------------------+----------------+-------------------+-----------------+
 * | version=3 | protocolType (str) | generation i32 | protocol (n.str)  | leader (n.str)  |
 * +-----------+--------------------+----------------+-------------------+-----------------+
 * | currentStateTimestamp i64 | member count i32 | members...                           |
 * +---------------------------+------------------+--------------------------------------+
 *   member: memberId (str) | groupInstanceId (n.str) | clientId (str) | clientHost (str)
 *           | rebalanceTimeout i32 | sessionTimeout i32 | subscription (bytes) | assignment (bytes)
 * </pre>
 *
 * Constants only; thread-safe.
 */
public final class GroupRecordDescriptor {

    /** Key versions 0 and 1 both mean an offset commit (Kafka's history). */
    public static final short OFFSET_COMMIT_KEY_V0 = 0;
    public static final short OFFSET_COMMIT_KEY_V1 = 1;
    public static final short GROUP_METADATA_KEY = 2;

    public static final short OFFSET_COMMIT_VALUE_VERSION = 3;
    public static final short GROUP_METADATA_VALUE_VERSION = 3;

    /** Largest string a record carries: int16 length. */
    public static final int STRING_BYTES_MAX = Short.MAX_VALUE;

    private GroupRecordDescriptor() { }
}
