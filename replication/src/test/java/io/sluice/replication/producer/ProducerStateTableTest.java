package io.sluice.replication.producer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProducerStateTableTest {

    private final ProducerStateTable table = new ProducerStateTable();

    @Test
    void unknownProducerIsAcceptedWithAnySequence() {
        assertThat(table.check(7, (short) 0, 42, 45).errorCode()).isZero();
        assertThat(table.check(7, (short) 0, 42, 45).isDuplicate()).isFalse();
    }

    @Test
    void retryOfAnyOfTheLastFiveBatchesIsADuplicateWithItsOffsets() {
        for (int i = 0; i < 6; i++) {
            table.update(7, (short) 0, i * 10, i * 10 + 9, 100 + i * 10, 109 + i * 10);
        }
        assertThat(table.check(7, (short) 0, 0, 9).errorCode()).as("evicted: out of order")
                .isEqualTo(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER);
        for (int i = 1; i < 6; i++) {
            ProducerStateTable.Check c = table.check(7, (short) 0, i * 10, i * 10 + 9);
            assertThat(c.isDuplicate()).isTrue();
            assertThat(c.duplicate().firstOffset()).isEqualTo(100 + i * 10);
        }
    }

    @Test
    void gapIsOutOfOrderAndNextIsAccepted() {
        table.update(7, (short) 0, 0, 4, 0, 4);
        assertThat(table.check(7, (short) 0, 6, 6).errorCode()).isEqualTo(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(table.check(7, (short) 0, 5, 9).errorCode()).isZero();
        assertThat(table.check(7, (short) 0, 5, 9).isDuplicate()).isFalse();
    }

    @Test
    void olderEpochIsFencedAndNewEpochMustStartAtZero() {
        table.update(7, (short) 3, 0, 4, 0, 4);
        assertThat(table.check(7, (short) 2, 5, 5).errorCode()).isEqualTo(ProducerStateTable.INVALID_PRODUCER_EPOCH);
        assertThat(table.check(7, (short) 4, 5, 5).errorCode()).isEqualTo(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(table.check(7, (short) 4, 0, 0).errorCode()).isZero();
        table.update(7, (short) 4, 0, 0, 5, 5);
        assertThat(table.check(7, (short) 3, 5, 5).errorCode()).isEqualTo(ProducerStateTable.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void sequenceWrapsAfterIntegerMax() {
        table.update(7, (short) 0, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0, 1);
        assertThat(table.check(7, (short) 0, 0, 3).errorCode()).isZero();
    }

    @Test
    void truncationForgetsBatchesFromTheOffset() {
        table.update(7, (short) 0, 0, 4, 0, 4);
        table.update(7, (short) 0, 5, 9, 5, 9);
        table.truncateFrom(5);
        assertThat(table.check(7, (short) 0, 5, 9).isDuplicate()).isFalse();
        assertThat(table.check(7, (short) 0, 0, 4).isDuplicate()).isTrue();
    }
}
