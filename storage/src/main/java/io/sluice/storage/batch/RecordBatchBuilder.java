package io.sluice.storage.batch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;

/**
 * Builds v2 batches (KIP-98 record encoding, {@link RecordDescriptor}) for tests, benchmarks and
 * tools: uncompressed, or compressed with the codec libraries and framing kafka-clients uses
 * (see {@link Decompression}). The broker never builds batches: it stores what producers send.
 *
 * <p>Not thread-safe; one builder per batch.
 */
public final class RecordBatchBuilder {

    private long baseOffset;
    private final long baseTimestamp;
    private long producerId = NO_PRODUCER_ID;
    private short producerEpoch = NO_PRODUCER_EPOCH;
    private int baseSequence = NO_SEQUENCE;
    private int partitionLeaderEpoch = NO_PARTITION_LEADER_EPOCH;
    private short attributes;
    private final List<byte[]> keys = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();
    private final List<Long> timestamps = new ArrayList<>();
    private final List<String[]> headerKeys = new ArrayList<>();
    private int codec;
    private Long headerMaxTimestamp;

    private RecordBatchBuilder(long baseOffset, long baseTimestamp) {
        this.baseOffset = baseOffset;
        this.baseTimestamp = baseTimestamp;
    }

    public static RecordBatchBuilder create(long baseOffset, long baseTimestamp) {
        return new RecordBatchBuilder(baseOffset, baseTimestamp);
    }

    /** A batch of {@code records} records with {@code valueBytes}-byte values (filled from the seed), all at {@code timestamp}. */
    public static ByteBuffer batch(int records, int valueBytes, long timestamp, long seed) {
        RecordBatchBuilder b = create(0, timestamp);
        for (int i = 0; i < records; i++) {
            byte[] v = new byte[valueBytes];
            long x = seed + i * 0x9E3779B97F4A7C15L;
            for (int j = 0; j < valueBytes; j++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                v[j] = (byte) x;
            }
            b.add(null, v, timestamp);
        }
        return b.build();
    }

    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    public RecordBatchBuilder partitionLeaderEpoch(int epoch) {
        this.partitionLeaderEpoch = epoch;
        return this;
    }

    public RecordBatchBuilder baseOffset(long offset) {
        this.baseOffset = offset;
        return this;
    }

    public RecordBatchBuilder transactional(boolean transactional) {
        attributes = (short) (transactional ? attributes | TRANSACTIONAL_FLAG_MASK : attributes & ~TRANSACTIONAL_FLAG_MASK);
        return this;
    }

    public RecordBatchBuilder add(byte[] key, byte[] value, long timestamp) {
        return add(key, value, timestamp, new String[0]);
    }

    /** A record with headers of these keys (a null key is written as length -1, which Kafka refuses) and empty values. */
    public RecordBatchBuilder add(byte[] key, byte[] value, long timestamp, String... headerKeys) {
        keys.add(key);
        values.add(value);
        timestamps.add(timestamp);
        this.headerKeys.add(headerKeys);
        return this;
    }

    /** Compression codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
    public RecordBatchBuilder compression(int codec) {
        if (codec < 0 || codec > COMPRESSION_CODEC_MAX) {
            throw new IllegalArgumentException("codec " + codec);
        }
        this.codec = codec;
        attributes = (short) ((attributes & ~COMPRESSION_CODEC_MASK) | codec);
        return this;
    }

    /**
     * Writes this max timestamp into the header instead of the records' true one, as some clients
     * do (librdkafka writes 0 through some of its APIs).
     */
    public RecordBatchBuilder headerMaxTimestamp(long maxTimestamp) {
        this.headerMaxTimestamp = maxTimestamp;
        return this;
    }

    /** The batch, position 0 to limit, in a heap buffer, CRC set. */
    public ByteBuffer build() {
        ByteBuffer records = ByteBuffer.allocate(estimateRecordsSize());
        long maxTs = timestamps.isEmpty() ? baseTimestamp : Long.MIN_VALUE;
        for (int i = 0; i < values.size(); i++) {
            long ts = timestamps.get(i);
            maxTs = Math.max(maxTs, ts);
            writeRecord(records, i, ts - baseTimestamp, keys.get(i), values.get(i), headerKeys.get(i));
        }
        records.flip();
        if (codec != 0) {
            records = Compressors.compress(codec, records);
        }
        if (headerMaxTimestamp != null) {
            maxTs = headerMaxTimestamp;
        }
        int size = HEADER_LENGTH + records.remaining();
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putLong(BASE_OFFSET_OFFSET, baseOffset);
        buf.putInt(LENGTH_OFFSET, size - LOG_OVERHEAD);
        buf.putInt(PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch);
        buf.put(MAGIC_OFFSET, MAGIC_V2);
        buf.putShort(ATTRIBUTES_OFFSET, attributes);
        buf.putInt(LAST_OFFSET_DELTA_OFFSET, Math.max(0, values.size() - 1));
        buf.putLong(BASE_TIMESTAMP_OFFSET, baseTimestamp);
        buf.putLong(MAX_TIMESTAMP_OFFSET, maxTs);
        buf.putLong(PRODUCER_ID_OFFSET, producerId);
        buf.putShort(PRODUCER_EPOCH_OFFSET, producerEpoch);
        buf.putInt(BASE_SEQUENCE_OFFSET, baseSequence);
        buf.putInt(RECORD_COUNT_OFFSET, values.size());
        buf.put(RECORDS_OFFSET, records, 0, records.remaining());
        buf.putInt(CRC_OFFSET, (int) RecordBatchHeader.computeCrc(buf, 0, size));
        return buf;
    }

    private int estimateRecordsSize() {
        int total = 0;
        for (int i = 0; i < values.size(); i++) {
            total += 5 * 6 + 10 + (keys.get(i) == null ? 0 : keys.get(i).length)
                    + (values.get(i) == null ? 0 : values.get(i).length) + headersSize(headerKeys.get(i));
        }
        return total;
    }

    private static int headersSize(String[] headerKeys) {
        int total = 0;
        for (String k : headerKeys) {
            total += 10 + (k == null ? 0 : k.getBytes(StandardCharsets.UTF_8).length);
        }
        return total;
    }

    private static void writeRecord(ByteBuffer out, int offsetDelta, long timestampDelta, byte[] key, byte[] value,
                                    String[] headerKeys) {
        ByteBuffer body = ByteBuffer.allocate(5 * 5 + 10 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length)
                + headersSize(headerKeys));
        body.put((byte) 0); // record attributes
        writeVarlong(body, timestampDelta);
        writeVarint(body, offsetDelta);
        writeBytes(body, key);
        writeBytes(body, value);
        writeVarint(body, headerKeys.length);
        for (String k : headerKeys) {
            writeBytes(body, k == null ? null : k.getBytes(StandardCharsets.UTF_8));
            writeBytes(body, new byte[0]);
        }
        body.flip();
        writeVarint(out, body.remaining());
        out.put(body);
    }

    private static void writeBytes(ByteBuffer out, byte[] b) {
        if (b == null) {
            writeVarint(out, -1);
        } else {
            writeVarint(out, b.length);
            out.put(b);
        }
    }

    static void writeVarint(ByteBuffer out, int value) {
        writeVarlong(out, value);
    }

    static void writeVarlong(ByteBuffer out, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }
}
