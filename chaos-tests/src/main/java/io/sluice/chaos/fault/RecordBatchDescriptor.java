package io.sluice.chaos.fault;

/**
 * The Kafka RecordBatch v2 header (magic 2), as far as the faults need it to walk a segment file
 * batch by batch. Big-endian. Stateless.
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
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BATCH_LENGTH_OFFSET = 8;
    public static final int MAGIC_OFFSET = 16;
    public static final int CRC_OFFSET = 17;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int RECORDS_COUNT_OFFSET = 57;
    public static final int HEADER_LENGTH = 61;
    /** baseOffset and batchLength: the part of the header not counted in batchLength. */
    public static final int LOG_OVERHEAD = 12;
    public static final byte MAGIC_V2 = 2;

    private RecordBatchDescriptor() { }
}
