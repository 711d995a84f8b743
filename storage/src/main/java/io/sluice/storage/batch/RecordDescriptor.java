package io.sluice.storage.batch;

/**
 * Layout of one record inside a v2 batch (KIP-98), after the 61-byte header of
 * {@link RecordBatchDescriptor}: {@code recordCount} records back to back, compressed as one stream
 * when the batch's codec bits say so. Every field but the attributes is a zigzag varint
 * ({@code varint}: up to 5 bytes, {@code varlong}: up to 10, 7 bits a byte, least significant
 * group first, high bit = more follows); lengths of -1 mean null.
 *
 * <pre>
 *  record:
 *  +----------------------+------------------+-----------------------+--------------------+
 *  | length (varint):     | attributes (int8)| timestampDelta        | offsetDelta        |
 *  | bytes after this     | unused in v2     | (varlong) from the    | (varint) from the  |
 *  | field                |                  | batch base timestamp  | batch base offset  |
 *  +----------------------+------------------+-----------------------+--------------------+
 *  | keyLength (varint)   | key (keyLength bytes;  | valueLength (varint) | value (valueLength |
 *  | -1 = null key        | none if null)          | -1 = null value      | bytes)             |
 *  +----------------------+------------------------+----------------------+--------------------+
 *  | headerCount (varint) | header, headerCount times:                                          |
 *  | never negative       |   headerKeyLength (varint, never negative) | headerKey (UTF-8)     |
 *  |                      |   headerValueLength (varint, -1 = null)    | headerValue           |
 *  +----------------------+---------------------------------------------------------------------+
 * </pre>
 *
 * <p>Record i has offset {@code baseOffset + offsetDelta} and, for CreateTime batches, timestamp
 * {@code baseTimestamp + timestampDelta}; in a LogAppendTime batch every record's timestamp is the
 * header's max timestamp. Kafka's producers write offset deltas 0, 1, 2, ...; the length field
 * must equal the bytes the fields after it take.
 *
 * <p>Constants only; thread-safe.
 */
public final class RecordDescriptor {

    /** Most bytes of a varint (int32) and a varlong (int64). */
    public static final int VARINT_BYTES_MAX = 5;
    public static final int VARLONG_BYTES_MAX = 10;

    /** A key, value or header value length that means null. */
    public static final int NULL_LENGTH = -1;

    /** Smallest record body: attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount. */
    public static final int BODY_BYTES_MIN = 6;

    private RecordDescriptor() {
    }
}
