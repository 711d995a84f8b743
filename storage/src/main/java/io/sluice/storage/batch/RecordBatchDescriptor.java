package io.sluice.storage.batch;

/**
 * Layout of a Kafka RecordBatch, magic 2 (KIP-98), as stored in a segment. All fields big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Base Offset (int64)                     |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Batch Length (int32): bytes after this field           |  8
 *  +---------------------------------------------------------------+
 *  |                Partition Leader Epoch (int32)                 | 12
 *  +---------------+-----------------------------------------------+
 *  |  Magic (=2)   |              CRC32C (uint32) ...              | 16
 *  +---------------+---------------+-------------------------------+
 *  |  ... CRC      |        Attributes (int16)     | Last Offset   | 20
 *  +---------------+-------------------------------+---------------+
 *  |       Delta (int32)                           | Base          | 24
 *  +-----------------------------------------------+---------------+
 *  |                  Timestamp (int64) ...                        | 28
 *  +---------------+-----------------------------------------------+
 *  |  ...          |            Max Timestamp (int64) ...          | 32
 *  +---------------+-----------------------------------------------+
 *  |                      ...              | Producer Id ...       | 40
 *  +---------------------------------------+-----------------------+
 *  |                      ... (int64) ...                          | 44
 *  +-----------------------+---------------+-----------------------+
 *  |   ...                 | Producer Epoch (int16)| Base Sequence | 48..52
 *  +-----------------------+-----------------------+---------------+
 *  |   ... (int32)         |  Record Count (int32) ...             | 56
 *  +-----------------------+---------------------------------------+
 *  |  ...  |  Records (varint-encoded, possibly compressed) ...    | 60
 *  +-------+-------------------------------------------------------+
 * </pre>
 *
 * <p>The CRC32C covers the bytes from {@link #ATTRIBUTES_OFFSET} to the end of the batch, so the
 * broker may write the base offset and the partition leader epoch without recomputing it.
 * Attributes: bits 0-2 compression codec, bit 3 timestamp type (1 = LogAppendTime), bit 4
 * transactional, bit 5 control batch, bit 6 has delete horizon.
 *
 * <p>Constants only; thread-safe.
 */
public final class RecordBatchDescriptor {

    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int LENGTH_OFFSET = BASE_OFFSET_OFFSET + Long.BYTES;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = LENGTH_OFFSET + Integer.BYTES;
    public static final int MAGIC_OFFSET = PARTITION_LEADER_EPOCH_OFFSET + Integer.BYTES;
    public static final int CRC_OFFSET = MAGIC_OFFSET + Byte.BYTES;
    public static final int ATTRIBUTES_OFFSET = CRC_OFFSET + Integer.BYTES;
    public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + Short.BYTES;
    public static final int BASE_TIMESTAMP_OFFSET = LAST_OFFSET_DELTA_OFFSET + Integer.BYTES;
    public static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + Long.BYTES;
    public static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + Long.BYTES;
    public static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + Long.BYTES;
    public static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + Short.BYTES;
    public static final int RECORD_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + Integer.BYTES;
    /** Size of the header; records start here. */
    public static final int RECORDS_OFFSET = RECORD_COUNT_OFFSET + Integer.BYTES;
    public static final int HEADER_LENGTH = RECORDS_OFFSET;

    /** Base offset + length: the bytes not counted by the length field. */
    public static final int LOG_OVERHEAD = LENGTH_OFFSET + Integer.BYTES;

    public static final byte MAGIC_V2 = 2;

    public static final int COMPRESSION_CODEC_MASK = 0x07;
    /** Highest codec id Kafka knows: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
    public static final int COMPRESSION_CODEC_MAX = 4;
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    public static final int TRANSACTIONAL_FLAG_MASK = 0x10;
    public static final int CONTROL_FLAG_MASK = 0x20;
    public static final int DELETE_HORIZON_FLAG_MASK = 0x40;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
    public static final long NO_TIMESTAMP = -1L;

    private RecordBatchDescriptor() {
    }
}
