package io.sluice.storage.index;

/**
 * Layouts of the sparse index files beside each segment (Kafka's formats, big-endian):
 *
 * <pre>
 * .index (offset index), one entry per index.interval.bytes of log:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |      Relative Offset (int32): batch base offset - segment base |  0
 *  +---------------------------------------------------------------+
 *  |      Position (int32): byte position of that batch in .log     |  4
 *  +---------------------------------------------------------------+
 *
 * .timeindex (time index), appended when the max timestamp so far grows at an index point,
 * at flush and when the segment rolls:
 *  +---------------------------------------------------------------+
 *  |      Timestamp (int64): max timestamp so far                   |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |      Relative Offset (int32) of the batch that has it          |  8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Entries are strictly increasing in offset (and, in the time index, in timestamp). The files hold
 * exactly the entries (no preallocated tail): an index is rebuilt from the log when it fails these
 * checks.
 */
public final class IndexDescriptor {
    public static final int OFFSET_RELATIVE_OFFSET = 0;
    public static final int OFFSET_POSITION_OFFSET = OFFSET_RELATIVE_OFFSET + Integer.BYTES;
    public static final int OFFSET_ENTRY_BYTES = OFFSET_POSITION_OFFSET + Integer.BYTES;

    public static final int TIME_TIMESTAMP_OFFSET = 0;
    public static final int TIME_RELATIVE_OFFSET_OFFSET = TIME_TIMESTAMP_OFFSET + Long.BYTES;
    public static final int TIME_ENTRY_BYTES = TIME_RELATIVE_OFFSET_OFFSET + Integer.BYTES;

    private IndexDescriptor() {
    }
}
