package io.sluice.storage.batch;

import com.sun.management.ThreadMXBean;
import io.sluice.storage.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Random;
import org.xerial.snappy.Snappy;

import static io.sluice.storage.batch.RecordBatchDescriptor.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The per-record pass (Kafka's LogValidator for v2), uncompressed and with every codec. */
@Timeout(30)
class RecordValidatorTest {

    static final long NOW = 1_700_000_000_000L;
    static final long HOUR = 3_600_000L;

    final RecordValidator validator = new RecordValidator();

    short validate(ByteBuffer batch, boolean compacted) {
        return validator.validate(batch, 0, NOW, false, Long.MAX_VALUE, HOUR, compacted);
    }

    static RecordBatchBuilder builder(int codec) {
        return RecordBatchBuilder.create(0, NOW - 1000).compression(codec);
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void computesTheTrueMaxTimestampWhateverTheHeaderSays(int codec) {
        ByteBuffer batch = builder(codec).add("a".getBytes(), new byte[100], NOW - 1000)
                .add("b".getBytes(), new byte[100], NOW - 10).add(null, new byte[100], NOW - 500)
                .headerMaxTimestamp(0).build();
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.NONE);
        assertThat(validator.maxTimestamp()).isEqualTo(NOW - 10);
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void manyLargeRecordsCrossTheDecompressionChunkAndStillWalk(int codec) {
        Random random = new Random(42);
        RecordBatchBuilder b = builder(codec);
        for (int i = 0; i < 200; i++) {
            byte[] v = new byte[random.nextInt(3000)];
            random.nextBytes(v);
            b.add(("k" + i).getBytes(), v, NOW - 1000 + i, "h1", "h2");
        }
        assertThat(validate(b.build(), true)).isEqualTo(ErrorCode.NONE);
        assertThat(validator.maxTimestamp()).isEqualTo(NOW - 1000 + 199);
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void aCompactedTopicRefusesARecordWithoutAKey(int codec) {
        ByteBuffer batch = builder(codec).add("k".getBytes(), "v".getBytes(), NOW).add(null, "v".getBytes(), NOW).build();
        assertThat(validate(batch, true)).isEqualTo(ErrorCode.INVALID_RECORD);
        assertThat(validator.faultReason()).contains("without a key");
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.NONE);
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void timestampsOutsideTheBoundsAreInvalidTimestampAndWinOverAKeyFault(int codec) {
        ByteBuffer future = builder(codec).add("k".getBytes(), null, NOW + HOUR + 1).build();
        assertThat(validate(future, false)).isEqualTo(ErrorCode.INVALID_TIMESTAMP);
        ByteBuffer old = builder(codec).add("k".getBytes(), null, NOW - 2 * HOUR).build();
        assertThat(validator.validate(old, 0, NOW, false, HOUR, HOUR, false)).isEqualTo(ErrorCode.INVALID_TIMESTAMP);
        // LogAppendTime topics do not check record timestamps.
        assertThat(validator.validate(old, 0, NOW, true, HOUR, HOUR, false)).isEqualTo(ErrorCode.NONE);
        ByteBuffer both = builder(codec).add(null, null, NOW).add("k".getBytes(), null, NOW + 2 * HOUR).build();
        assertThat(validate(both, true)).isEqualTo(ErrorCode.INVALID_TIMESTAMP);
        // No timestamp (-1) is allowed.
        ByteBuffer none = RecordBatchBuilder.create(0, NO_TIMESTAMP).compression(codec).add(null, null, NO_TIMESTAMP).build();
        assertThat(validate(none, false)).isEqualTo(ErrorCode.NONE);
        assertThat(validator.maxTimestamp()).isEqualTo(NO_TIMESTAMP);
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void aNullHeaderKeyIsInvalidRecord(int codec) {
        ByteBuffer batch = builder(codec).add("k".getBytes(), null, NOW, "fine", null).build();
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.INVALID_RECORD);
        assertThat(validator.faultReason()).contains("null key");
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void aRecordCountThatDisagreesWithTheRecordsIsInvalidRecord(int codec) {
        ByteBuffer three = builder(codec).add(null, "a".getBytes(), NOW).add(null, "b".getBytes(), NOW)
                .add(null, "c".getBytes(), NOW).build();
        // Header says 4 records (and last offset delta 3), the records are 3.
        assertThat(validate(withCount(three, 4), false)).isEqualTo(ErrorCode.INVALID_RECORD);
        assertThat(validator.faultReason()).contains("fewer records");
        // Header says 2: a record is left over.
        assertThat(validate(withCount(three, 2), false)).isEqualTo(ErrorCode.INVALID_RECORD);
        assertThat(validator.faultReason()).contains("bytes after");
    }

    @Test
    void offsetDeltasOtherThanZeroOneTwoAreInvalidRecord() {
        ByteBuffer batch = builder(0).add(null, "a".getBytes(), NOW - 1000).add(null, "b".getBytes(), NOW - 1000).build();
        // Record 0: length(1 byte) attributes(1) timestampDelta 0 (1) offsetDelta: zigzag(0)=0 -> zigzag(1)=2.
        int offsetDeltaByte = RECORDS_OFFSET + 3;
        assertThat(batch.get(offsetDeltaByte)).isEqualTo((byte) 0);
        batch.put(offsetDeltaByte, (byte) 2);
        resetCrc(batch);
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.INVALID_RECORD);
        assertThat(validator.faultReason()).contains("offset deltas");
    }

    @Test
    void aRecordLengthThatDisagreesWithItsFieldsIsInvalidRecord() {
        ByteBuffer batch = builder(0).add(null, "abc".getBytes(), NOW).build();
        byte length = batch.get(RECORDS_OFFSET);
        batch.put(RECORDS_OFFSET, (byte) (length + 2)); // zigzag: one more byte claimed
        resetCrc(batch);
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.INVALID_RECORD);
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void aHeaderCountBeyondWhatTheRecordCanHoldIsInvalidRecordAndReadsNoFurther(int codec) throws Exception {
        ByteBuffer plain = builder(0).add(null, "abc".getBytes(), NOW - 1000).add(null, new byte[5000], NOW - 1000).build();
        byte[] records = recordsOf(plain);
        // Record 0: length 9 (zigzag 18), attributes, timestamp delta 0, offset delta 0, key -1 (1),
        // value 3 (6), "abc", header count 0; the header count becomes Integer.MAX_VALUE (5 bytes).
        assertThat(records[0]).isEqualTo((byte) 18);
        assertThat(records[9]).isEqualTo((byte) 0);
        ByteBuffer lying = ByteBuffer.allocate(records.length + 4);
        lying.put((byte) 26).put(records, 1, 8).put(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F})
                .put(records, 10, records.length - 10).flip();
        ByteBuffer uncompressed = withRecords(plain, 0, lying);
        byte[] lyingRecords = recordsOf(uncompressed);
        ByteBuffer batch = codec == 0 ? uncompressed
                : withRecords(plain, codec, Compressors.compress(codec, ByteBuffer.wrap(lyingRecords)));
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.INVALID_RECORD);
        assertThat(validator.faultReason()).isEqualTo("more record headers than the record's bytes can hold");
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void garbageInsteadOfACompressedStreamIsUnknownServerErrorAsInKafka(int codec) {
        ByteBuffer batch = builder(codec).add(null, new byte[500], NOW).build();
        for (int i = RECORDS_OFFSET + 8; i < batch.limit(); i++) {
            batch.put(i, (byte) (batch.get(i) ^ 0x5A));
        }
        resetCrc(batch);
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
        assertThat(validator.faultReason()).isEqualTo("compressed records do not decompress");
    }

    @Test
    void lz4FramesWithBlockAndContentChecksumsAndContentSizeWalk() throws Exception {
        RecordBatchBuilder b = builder(0);
        for (int i = 0; i < 100; i++) {
            b.add(("k" + i).getBytes(), new byte[1000], NOW - i);
        }
        ByteBuffer plain = b.build();
        byte[] records = new byte[plain.limit() - RECORDS_OFFSET];
        plain.duplicate().position(RECORDS_OFFSET).get(records);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var lz4 = new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                records.length, LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_CHECKSUM,
                LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM,
                LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE)) {
            lz4.write(records);
        }
        byte[] compressed = out.toByteArray();
        ByteBuffer batch = ByteBuffer.allocate(RECORDS_OFFSET + compressed.length);
        batch.put(plain.duplicate().limit(RECORDS_OFFSET)).put(compressed).flip();
        batch.putInt(LENGTH_OFFSET, batch.limit() - LOG_OVERHEAD);
        batch.putShort(ATTRIBUTES_OFFSET, (short) 3);
        resetCrc(batch);
        assertThat(validate(batch, true)).isEqualTo(ErrorCode.NONE);
        assertThat(validator.maxTimestamp()).isEqualTo(NOW);
        // A flipped byte inside a block fails its block checksum.
        batch.put(RECORDS_OFFSET + 40, (byte) (batch.get(RECORDS_OFFSET + 40) ^ 1));
        resetCrc(batch);
        assertThat(validate(batch, true)).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
    }

    @Test
    void lz4FramesOfBigBlocksWalkWithoutTheirBlockBufferBeingKeptAndBlocksAllocateNothing() throws Exception {
        RecordBatchBuilder b = builder(0);
        Random random = new Random(7);
        for (int i = 0; i < 64; i++) {
            byte[] v = new byte[64 * 1024];
            random.nextBytes(v); // incompressible: stored blocks as well as compressed ones
            b.add(("k" + i).getBytes(), i % 2 == 0 ? v : new byte[64 * 1024], NOW - i);
        }
        ByteBuffer plain = b.build();
        ByteBuffer big = withRecords(plain, 3, lz4Frame(recordsOf(plain), LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB));
        ByteBuffer usual = withRecords(plain, 3, lz4Frame(recordsOf(plain), LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB));
        assertThat(validate(big, true)).isEqualTo(ErrorCode.NONE);
        assertThat(validate(usual, true)).isEqualTo(ErrorCode.NONE);

        Lz4FrameStream lz4 = new Lz4FrameStream();
        byte[] chunk = new byte[RecordCursor.CHUNK_BYTES];
        int recordsLength = usual.limit() - RECORDS_OFFSET;
        drain(lz4.open(big, RECORDS_OFFSET, big.limit() - RECORDS_OFFSET), chunk);
        assertThat(lz4.keptBlockBytes()).isLessThanOrEqualTo(Lz4FrameStream.KEPT_BLOCK_BYTES);
        drain(lz4.open(usual, RECORDS_OFFSET, recordsLength), chunk); // warm: the kept buffer exists now
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        drain(lz4.open(usual, RECORDS_OFFSET, recordsLength), chunk); // 64+ blocks
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1024);
        assertThat(lz4.keptBlockBytes()).isEqualTo(Lz4FrameStream.KEPT_BLOCK_BYTES);
    }

    static void drain(InputStream in, byte[] chunk) throws IOException {
        try (in) {
            while (in.read(chunk, 0, chunk.length) >= 0) {
            }
        }
    }

    static ByteBuffer lz4Frame(byte[] records, LZ4FrameOutputStream.BLOCKSIZE blockSize) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var lz4 = new LZ4FrameOutputStream(out, blockSize,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE)) {
            lz4.write(records);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    @Test
    void aSnappyChunkClaimingMoreBytesThanTheBatchHoldsIsRefused() {
        ByteBuffer batch = builder(2).add(null, new byte[500], NOW).build();
        // xerial framing: 8 bytes magic, 4 version, 4 compatible version, then each chunk's size (big-endian).
        batch.putInt(RECORDS_OFFSET + 16, 400 * 1024 * 1024);
        resetCrc(batch);
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR); // Kafka 4.4.0's answer too
    }

    @ParameterizedTest(name = "claims {0} bytes, framed {1}")
    @CsvSource({"1073741824, true", "2147483647, true", "1073741824, false", "2147483647, false"})
    void aSnappyBlockClaimingAHugeUncompressedLengthIsRefusedWithoutAllocatingIt(int claimed, boolean framed)
            throws Exception {
        ByteBuffer plain = builder(0).add(null, new byte[500], NOW).build();
        byte[] block = Snappy.compress(recordsOf(plain));
        // Replace the block's length varint (its first bytes) with the claim: the ops stay as they were.
        int varintBytes = 0;
        while ((block[varintBytes++] & 0x80) != 0) {
        }
        ByteBuffer lying = ByteBuffer.allocate(5 + block.length - varintBytes);
        for (long v = claimed & 0xFFFFFFFFL; ; v >>>= 7) {
            if (v < 0x80) {
                lying.put((byte) v);
                break;
            }
            lying.put((byte) (v | 0x80));
        }
        lying.put(block, varintBytes, block.length - varintBytes).flip();
        ByteBuffer records;
        if (framed) {
            records = ByteBuffer.allocate(16 + 4 + lying.remaining());
            records.put(new byte[] {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}).putInt(1).putInt(1)
                    .putInt(lying.remaining()).put(lying).flip();
        } else {
            records = lying;
        }
        ByteBuffer batch = withRecords(plain, 2, records);
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThat(validate(batch, false)).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR); // as a corrupt stream
        assertThat(validator.faultReason()).isEqualTo("compressed records do not decompress");
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1024 * 1024);
    }

    @ParameterizedTest(name = "direct {0}")
    @ValueSource(booleans = {false, true})
    void snappyAtItsLargestRealExpansionStillWalksFramedAndRawFromHeapAndDirectBuffers(boolean direct)
            throws Exception {
        // Zeros are snappy's best case (64-byte copies of 3 bytes): the expansion bound must admit them.
        ByteBuffer plain = builder(0).add("k".getBytes(), new byte[300 * 1024], NOW).add(null, new byte[10], NOW).build();
        ByteBuffer framed = builder(2).add("k".getBytes(), new byte[300 * 1024], NOW).add(null, new byte[10], NOW).build();
        ByteBuffer raw = withRecords(plain, 2, ByteBuffer.wrap(Snappy.compress(recordsOf(plain))));
        for (ByteBuffer batch : new ByteBuffer[] {framed, raw}) {
            ByteBuffer b = batch;
            if (direct) {
                b = ByteBuffer.allocateDirect(batch.limit());
                b.put(batch.duplicate()).flip();
            }
            assertThat(validate(b, false)).isEqualTo(ErrorCode.NONE);
            assertThat(validator.maxTimestamp()).isEqualTo(NOW);
        }
        assertThat(SnappyStream.uncompressedMax(3)).isGreaterThanOrEqualTo(64);
    }

    @Test
    void aZstdFrameWithAWindowBeyondTheCapIsRefused() {
        ByteBuffer plain = builder(0).add("k".getBytes(), "v".getBytes(), NOW).build();
        assertThat(validate(withRecords(plain, 4, zstdRawFrame(recordsOf(plain), Decompression.ZSTD_WINDOW_LOG_MAX)), false))
                .isEqualTo(ErrorCode.NONE);
        // One past the cap (Kafka's own limit): refused as undecompressible, as Kafka refuses it.
        assertThat(validate(withRecords(plain, 4, zstdRawFrame(recordsOf(plain), Decompression.ZSTD_WINDOW_LOG_MAX + 1)), false))
                .isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
        assertThat(validator.faultReason()).isEqualTo("compressed records do not decompress");
    }

    /** One zstd frame holding {@code content} in one raw block, its header naming a window of 2^windowLog. */
    static ByteBuffer zstdRawFrame(byte[] content, int windowLog) {
        ByteBuffer frame = ByteBuffer.allocate(4 + 2 + 3 + content.length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(0xFD2FB528).put((byte) 0) // frame header: no content size, not single segment, no checksum
                .put((byte) ((windowLog - 10) << 3)); // window descriptor: exponent, mantissa 0
        int blockHeader = (content.length << 3) | 1; // raw block (type 0), last
        frame.put((byte) blockHeader).put((byte) (blockHeader >>> 8)).put((byte) (blockHeader >>> 16));
        return frame.put(content).flip();
    }

    static byte[] recordsOf(ByteBuffer plain) {
        byte[] records = new byte[plain.limit() - RECORDS_OFFSET];
        plain.duplicate().position(RECORDS_OFFSET).get(records);
        return records;
    }

    /** {@code plain}'s header over {@code records} (already compressed with {@code codec}), with a valid CRC. */
    static ByteBuffer withRecords(ByteBuffer plain, int codec, ByteBuffer records) {
        ByteBuffer batch = ByteBuffer.allocate(RECORDS_OFFSET + records.remaining());
        batch.put(plain.duplicate().limit(RECORDS_OFFSET)).put(records.duplicate()).flip();
        batch.putInt(LENGTH_OFFSET, batch.limit() - LOG_OVERHEAD);
        batch.putShort(ATTRIBUTES_OFFSET, (short) codec);
        resetCrc(batch);
        return batch;
    }

    @Test
    void controlBatchesAndProducerIdsWithoutSequenceAreInvalidRecord() {
        ByteBuffer control = builder(0).add(null, null, NOW).build();
        control.putShort(ATTRIBUTES_OFFSET, (short) CONTROL_FLAG_MASK);
        assertThat(validate(control, false)).isEqualTo(ErrorCode.INVALID_RECORD);
        ByteBuffer noSequence = builder(0).producer(7, (short) 0, NO_SEQUENCE).add(null, null, NOW).build();
        assertThat(validate(noSequence, false)).isEqualTo(ErrorCode.INVALID_RECORD);
    }

    @Test
    void findsRecordsByTimestampInsideABatch() {
        ByteBuffer batch = RecordBatchBuilder.create(100, NOW).compression(4).add(null, null, NOW)
                .add(null, null, NOW + 30).add(null, null, NOW + 10).add(null, null, NOW + 30).build();
        RecordTimestampSearch search = new RecordTimestampSearch();
        assertThat(search.firstAtOrAfter(batch, 0, NOW + 5, 0)).isEqualTo(101);
        assertThat(search.timestamp()).isEqualTo(NOW + 30);
        assertThat(search.firstAtOrAfter(batch, 0, NOW + 5, 102)).isEqualTo(102);
        assertThat(search.timestamp()).isEqualTo(NOW + 10);
        assertThat(search.firstAtOrAfter(batch, 0, NOW + 31, 0)).isEqualTo(RecordTimestampSearch.NOT_FOUND);
        assertThat(search.offsetOfMaxTimestamp(batch, 0)).isEqualTo(101);
    }

    /** Sets record count and last offset delta, as a client with a wrong count would, with a valid CRC. */
    static ByteBuffer withCount(ByteBuffer batch, int count) {
        ByteBuffer copy = ByteBuffer.allocate(batch.limit());
        copy.put(batch.duplicate()).flip();
        copy.putInt(RECORD_COUNT_OFFSET, count);
        copy.putInt(LAST_OFFSET_DELTA_OFFSET, count - 1);
        resetCrc(copy);
        return copy;
    }

    static void resetCrc(ByteBuffer batch) {
        batch.putInt(CRC_OFFSET, (int) RecordBatchHeader.computeCrc(batch, 0, batch.limit()));
    }
}
