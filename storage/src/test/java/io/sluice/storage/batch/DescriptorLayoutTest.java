package io.sluice.storage.batch;

import io.sluice.storage.index.IndexDescriptor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The descriptors derive each offset from the one before it; this pins the results to the numbers
 * Kafka's formats publish ({@code DefaultRecordBatch}, {@code OffsetIndex}, {@code TimeIndex}), so
 * a field inserted or resized in the chain fails here instead of corrupting stored batches.
 */
class DescriptorLayoutTest {

    @Test
    void recordBatchHeaderOffsetsAreKafkasV2Layout() {
        assertThat(new int[] {
            RecordBatchDescriptor.BASE_OFFSET_OFFSET, RecordBatchDescriptor.LENGTH_OFFSET,
            RecordBatchDescriptor.PARTITION_LEADER_EPOCH_OFFSET, RecordBatchDescriptor.MAGIC_OFFSET,
            RecordBatchDescriptor.CRC_OFFSET, RecordBatchDescriptor.ATTRIBUTES_OFFSET,
            RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET, RecordBatchDescriptor.BASE_TIMESTAMP_OFFSET,
            RecordBatchDescriptor.MAX_TIMESTAMP_OFFSET, RecordBatchDescriptor.PRODUCER_ID_OFFSET,
            RecordBatchDescriptor.PRODUCER_EPOCH_OFFSET, RecordBatchDescriptor.BASE_SEQUENCE_OFFSET,
            RecordBatchDescriptor.RECORD_COUNT_OFFSET, RecordBatchDescriptor.RECORDS_OFFSET})
            .containsExactly(0, 8, 12, 16, 17, 21, 23, 27, 35, 43, 51, 53, 57, 61);
        assertThat(RecordBatchDescriptor.HEADER_LENGTH).isEqualTo(61);
        assertThat(RecordBatchDescriptor.LOG_OVERHEAD).isEqualTo(12);
    }

    @Test
    void indexEntriesAreKafkasLayout() {
        assertThat(new int[] {IndexDescriptor.OFFSET_RELATIVE_OFFSET, IndexDescriptor.OFFSET_POSITION_OFFSET,
            IndexDescriptor.OFFSET_ENTRY_BYTES}).containsExactly(0, 4, 8);
        assertThat(new int[] {IndexDescriptor.TIME_TIMESTAMP_OFFSET, IndexDescriptor.TIME_RELATIVE_OFFSET_OFFSET,
            IndexDescriptor.TIME_ENTRY_BYTES}).containsExactly(0, 8, 12);
    }
}
