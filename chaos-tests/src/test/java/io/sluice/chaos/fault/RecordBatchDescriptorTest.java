package io.sluice.chaos.fault;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The derived offsets equal Kafka's (DefaultRecordBatch: BASE_OFFSET 0, LENGTH 8, MAGIC 16, CRC 17,
 * LAST_OFFSET_DELTA 23, RECORDS_COUNT 57, RECORD_BATCH_OVERHEAD 61, LOG_OVERHEAD 12), typed here
 * from Kafka's source and not read from any Sluice class.
 */
class RecordBatchDescriptorTest {
    @Test
    void offsetsAreKafkas() {
        assertThat(RecordBatchDescriptor.BASE_OFFSET_OFFSET).isZero();
        assertThat(RecordBatchDescriptor.BATCH_LENGTH_OFFSET).isEqualTo(8);
        assertThat(RecordBatchDescriptor.MAGIC_OFFSET).isEqualTo(16);
        assertThat(RecordBatchDescriptor.CRC_OFFSET).isEqualTo(17);
        assertThat(RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET).isEqualTo(23);
        assertThat(RecordBatchDescriptor.RECORDS_COUNT_OFFSET).isEqualTo(57);
        assertThat(RecordBatchDescriptor.HEADER_LENGTH).isEqualTo(61);
        assertThat(RecordBatchDescriptor.LOG_OVERHEAD).isEqualTo(12);
    }
}
