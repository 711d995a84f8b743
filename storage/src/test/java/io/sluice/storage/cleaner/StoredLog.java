package io.sluice.storage.cleaner;

import io.sluice.storage.ErrorCode;
import io.sluice.storage.batch.RecordBatchFilter;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.batch.RecordBatchValidator;
import io.sluice.storage.log.LogReadResult;
import io.sluice.storage.log.PartitionLog;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads a whole log back, batch by batch and record by record, checking every CRC (tests). */
public final class StoredLog {

    public record StoredRecord(long offset, byte[] key, byte[] value, byte[] headers, long timestamp) {
        public boolean sameAs(StoredRecord o) {
            return offset == o.offset && Arrays.equals(key, o.key) && Arrays.equals(value, o.value)
                    && Arrays.equals(headers, o.headers) && timestamp == o.timestamp;
        }

        @Override
        public String toString() {
            return offset + ":" + (key == null ? "null" : new String(key)) + "=" + (value == null ? "null" : value.length + "B")
                    + "@" + timestamp;
        }
    }

    public record StoredBatch(long baseOffset, long lastOffset, int codec, long producerId, int baseSequence, long deleteHorizonMs,
                       List<StoredRecord> records) {
    }

    private StoredLog() {
    }

    public static List<StoredBatch> read(PartitionLog log) {
        List<StoredBatch> out = new ArrayList<>();
        RecordBatchFilter filter = new RecordBatchFilter();
        RecordBatchHeader h = new RecordBatchHeader();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            try (LogReadResult r = log.read(offset, Integer.MAX_VALUE, true)) {
                assertThat(r.errorCode()).as("read at %d", offset).isEqualTo(ErrorCode.NONE);
                ByteBuffer buf = r.records();
                if (!buf.hasRemaining()) {
                    break;
                }
                for (int p = buf.position(); p < buf.limit(); p += h.sizeInBytes()) {
                    assertThat(RecordBatchValidator.validateBatch(buf, p, buf.limit() - p, Integer.MAX_VALUE, false))
                            .as("batch at %d", p).isEqualTo(ErrorCode.NONE);
                    h.wrap(buf, p);
                    assertThat(filter.load(buf, p)).isEqualTo(ErrorCode.NONE);
                    List<StoredRecord> records = new ArrayList<>();
                    byte[] plain = filter.plain();
                    for (int i = 0; i < filter.recordCount(); i++) {
                        byte[] key = filter.keyLength(i) < 0 ? null
                                : Arrays.copyOfRange(plain, filter.keyPosition(i), filter.keyPosition(i) + filter.keyLength(i));
                        byte[] value = filter.valueLength(i) < 0 ? null
                                : Arrays.copyOfRange(plain, filter.valuePosition(i), filter.valuePosition(i) + filter.valueLength(i));
                        byte[] headers = Arrays.copyOfRange(plain, filter.headersPosition(i), filter.recordEnd(i));
                        records.add(new StoredRecord(filter.offset(i), key, value, headers, filter.timestamp(i)));
                    }
                    out.add(new StoredBatch(h.baseOffset(), h.lastOffset(), h.compressionCodec(), h.producerId(),
                            h.baseSequence(), h.deleteHorizonMs(), records));
                    offset = h.nextOffset();
                }
            }
        }
        return out;
    }

    public static List<StoredRecord> records(List<StoredBatch> batches) {
        List<StoredRecord> out = new ArrayList<>();
        for (StoredBatch b : batches) {
            out.addAll(b.records());
        }
        return out;
    }
}
