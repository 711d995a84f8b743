package io.sluice.storage.log;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static io.sluice.storage.log.TestLogs.batch;
import static io.sluice.storage.log.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;

/** Every refused batch gets Kafka's error code and leaves the log exactly as it was. */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(60)
class BadInputTest {

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    MappedPartitionLog log;

    @BeforeEach
    void open() throws IOException {
        log = TestLogs.open(dir, config(LogConfig.MAX_MESSAGE_BYTES, "20000", LogConfig.SEGMENT_BYTES, "10000"),
                TestLogs.env(8), clock, 0, 0);
        log.append(batch(2, 100, clock.millis(), 0), 0); // something stored that must stay intact
    }

    @AfterEach
    void close() {
        log.close();
    }

    private void assertRefused(ByteBuffer bad, short expected) {
        long leo = log.logEndOffset();
        long size = log.sizeInBytes();
        AppendResult r = log.append(bad, 0);
        assertThat(ErrorCode.name(r.errorCode())).isEqualTo(ErrorCode.name(expected));
        assertThat(r.firstOffset()).isEqualTo(-1);
        assertThat(log.logEndOffset()).isEqualTo(leo);
        assertThat(log.sizeInBytes()).isEqualTo(size);
        try (LogReadResult read = log.read(0, 100_000, true)) {
            RecordBatchHeader h = new RecordBatchHeader().wrap(read.records(), 0);
            assertThat(RecordBatchHeader.computeCrc(read.records(), 0, h.sizeInBytes())).isEqualTo(h.crc());
        }
        assertThat(log.append(batch(1, 10, clock.millis(), 1), 0).errorCode()).isEqualTo(ErrorCode.NONE);
    }

    private ByteBuffer good() {
        return batch(3, 100, clock.millis(), 7);
    }

    private static void fixCrc(ByteBuffer b) {
        b.putInt(RecordBatchDescriptor.CRC_OFFSET, (int) RecordBatchHeader.computeCrc(b, 0, b.remaining()));
    }

    @Test
    void badCrcIsCorruptMessage() {
        ByteBuffer b = good();
        b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 1));
        assertRefused(b, ErrorCode.CORRUPT_MESSAGE);
    }

    @Test
    void truncatedBatchIsCorruptMessage() {
        ByteBuffer b = good();
        assertRefused(b.slice(0, b.remaining() - 5), ErrorCode.CORRUPT_MESSAGE);
        assertRefused(b.slice(0, 30), ErrorCode.CORRUPT_MESSAGE);
    }

    @Test
    void lengthFieldBelowHeaderIsCorruptMessage() {
        ByteBuffer b = good();
        b.putInt(RecordBatchDescriptor.LENGTH_OFFSET, 10);
        assertRefused(b, ErrorCode.CORRUPT_MESSAGE);
    }

    @Test
    void batchOverMaxMessageBytesIsMessageTooLarge() {
        assertRefused(batch(1, 20_001, clock.millis(), 0), ErrorCode.MESSAGE_TOO_LARGE);
    }

    @Test
    void batchOverSegmentBytesIsRecordListTooLarge() {
        assertRefused(batch(1, 15_000, clock.millis(), 0), ErrorCode.RECORD_LIST_TOO_LARGE);
    }

    @Test
    void oldMagicIsUnsupportedForMessageFormat() {
        ByteBuffer b = good();
        b.put(RecordBatchDescriptor.MAGIC_OFFSET, (byte) 1);
        assertRefused(b, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    }

    @Test
    void recordCountDisagreeingWithLastOffsetDeltaIsInvalidRecord() {
        ByteBuffer b = good();
        b.putInt(RecordBatchDescriptor.RECORD_COUNT_OFFSET, 5);
        fixCrc(b);
        assertRefused(b, ErrorCode.INVALID_RECORD);
        ByteBuffer negative = good();
        negative.putInt(RecordBatchDescriptor.RECORD_COUNT_OFFSET, -1);
        fixCrc(negative);
        assertRefused(negative, ErrorCode.INVALID_RECORD);
    }

    @Test
    void twoBatchesInOneProduceAreInvalidRecord() {
        ByteBuffer a = good();
        ByteBuffer b = good();
        ByteBuffer both = ByteBuffer.allocate(a.remaining() + b.remaining()).put(a).put(b).flip();
        assertRefused(both, ErrorCode.INVALID_RECORD);
    }

    @Test
    void unknownCompressionCodecIsUnsupportedCompressionType() {
        ByteBuffer b = good();
        b.putShort(RecordBatchDescriptor.ATTRIBUTES_OFFSET, (short) 7);
        fixCrc(b);
        assertRefused(b, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    }

    @Test
    void timestampTooFarInTheFutureIsInvalidTimestamp() {
        // message.timestamp.after.max.ms defaults to one hour (Kafka 4.x).
        assertRefused(batch(1, 10, clock.millis() + 3_600_001L, 0), ErrorCode.INVALID_TIMESTAMP);
    }

    @Test
    void timestampTooOldIsInvalidTimestampWhenBeforeMaxIsSet() throws IOException {
        log.updateConfig(log.config().overriddenBy(Map.of(LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, "1000")));
        assertRefused(batch(1, 10, clock.millis() - 1001, 0), ErrorCode.INVALID_TIMESTAMP);
    }

    @Test
    void emptyBufferIsCorruptMessage() {
        assertRefused(ByteBuffer.allocate(0), ErrorCode.CORRUPT_MESSAGE);
    }

    @Test
    void invalidFollowerBatchesAreRefusedWhole() {
        long leo = log.logEndOffset();
        ByteBuffer good = batch(1, 10, clock.millis(), 0).putLong(0, leo);
        ByteBuffer bad = batch(1, 10, clock.millis(), 0).putLong(0, leo + 1);
        bad.put(bad.limit() - 1, (byte) 1);
        ByteBuffer both = ByteBuffer.allocate(good.remaining() + bad.remaining()).put(good).put(bad).flip();
        assertThat(log.appendAsFollower(both).errorCode()).isEqualTo(ErrorCode.CORRUPT_MESSAGE);
        assertThat(log.logEndOffset()).isEqualTo(leo);
    }
}
