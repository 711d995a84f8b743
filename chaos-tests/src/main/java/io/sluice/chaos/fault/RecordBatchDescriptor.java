package io.sluice.chaos.fault;

/**
 * The Kafka RecordBatch v2 header (magic 2), as far as the faults need it to walk a segment file
 * batch by batch. Big-endian. Stateless, thread-safe.
 *
 * <p>A deliberate copy of the layout in Sluice's storage module ({@code RecordBatchDescriptor}
 * there), written from Kafka's {@code DefaultRecordBatch}, not imported: the suite judges the
 * broker, so it must not trust the broker's code. A bug in the broker's layout would otherwise
 * move the faults with it and hide itself. The suite depends on no Sluice module at all.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     baseOffset (int64)                       |  0
 * |                                                              |
 * +--------------------------------------------------------------+
 * |       batchLength (int32): bytes after this field            |  8
 * +--------------------------------------------------------------+
 * |              partitionLeaderEpoch (int32)                    | 12
 * +---------------+----------------------------------------------+
 * | magic (int8)  |   crc (uint32, CRC-32C of attributes..end)    | 16
 * +---------------+---------------+------------------------------+
 * |  ...crc       | attributes (int16)            | lastOffset-   | 20
 * |               |                               | Delta (int32) | 23
 * +--------------------------------------------------------------+
 * |  baseTimestamp (int64) @27, maxTimestamp (int64) @35         |
 * |  producerId (int64) @43, producerEpoch (int16) @51           |
 * |  baseSequence (int32) @53, recordsCount (int32) @57          |
 * +--------------------------------------------------------------+
 * |  records ... @61                                             |
 * +--------------------------------------------------------------+
 * </pre>
 */
public final class RecordBatchDescriptor {
    // Each field starts where the previous one ends (private ones are fields the faults skip), so
    // the offsets cannot drift from the field widths drawn above.
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BATCH_LENGTH_OFFSET = BASE_OFFSET_OFFSET + Long.BYTES;
    private static final int PARTITION_LEADER_EPOCH_OFFSET = BATCH_LENGTH_OFFSET + Integer.BYTES;
    public static final int MAGIC_OFFSET = PARTITION_LEADER_EPOCH_OFFSET + Integer.BYTES;
    public static final int CRC_OFFSET = MAGIC_OFFSET + Byte.BYTES;
    private static final int ATTRIBUTES_OFFSET = CRC_OFFSET + Integer.BYTES;
    public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + Short.BYTES;
    private static final int BASE_TIMESTAMP_OFFSET = LAST_OFFSET_DELTA_OFFSET + Integer.BYTES;
    private static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + Long.BYTES;
    private static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + Long.BYTES;
    private static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + Long.BYTES;
    private static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + Short.BYTES;
    public static final int RECORDS_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + Integer.BYTES;
    public static final int HEADER_LENGTH = RECORDS_COUNT_OFFSET + Integer.BYTES;
    /** baseOffset and batchLength: the part of the header not counted in batchLength. */
    public static final int LOG_OVERHEAD = BATCH_LENGTH_OFFSET + Integer.BYTES;
    public static final byte MAGIC_V2 = 2;

    private RecordBatchDescriptor() { }
}
