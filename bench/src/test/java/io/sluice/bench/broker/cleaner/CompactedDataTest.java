package io.sluice.bench.broker.cleaner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CompactedDataTest {
    private static final long SEED = 16;

    @Test
    void tenWritesPerKeyLeaveExactlyTenPercentOfTheRecordsLive() {
        CompactedData data = new CompactedData(10_000, 10, 8, SEED);
        Map<Integer, Integer> writes = new HashMap<>();
        Map<Integer, Long> latest = new HashMap<>();
        for (long i = 0; data.hasNext(); i++) {
            int key = data.nextKey();
            data.value();
            writes.merge(key, 1, Integer::sum);
            latest.put(key, i);
        }

        assertThat(data.keys()).isEqualTo(1_000);
        assertThat(latest).hasSize(1_000);
        assertThat((double) latest.size() / data.records()).isEqualTo(0.10);
        assertThat(writes.values()).allMatch(n -> n == 10);
        // Every live record is in the last round: the cleaner must read the whole log to find them.
        assertThat(latest.values()).allMatch(offset -> offset >= 9_000);
        assertThat(latest.keySet()).allMatch(k -> k >= 0 && k < 1_000);
    }

    @Test
    void theSameSeedGivesTheSameKeysAndValuesAndAnotherSeedDoesNot() {
        assertThat(sequence(SEED)).isEqualTo(sequence(SEED));
        assertThat(sequence(SEED)).isNotEqualTo(sequence(SEED + 1));
    }

    @Test
    void eachRoundHasItsOwnOrder() {
        CompactedData data = new CompactedData(200, 2, 1, SEED);
        int[] first = new int[100];
        int[] second = new int[100];
        for (int i = 0; i < 100; i++) {
            first[i] = data.nextKey();
        }
        for (int i = 0; i < 100; i++) {
            second[i] = data.nextKey();
        }
        assertThat(second).isNotEqualTo(first);
        assertThat(Arrays.stream(second).sorted().toArray()).isEqualTo(Arrays.stream(first).sorted().toArray());
        assertThat(data.hasNext()).isFalse();
        assertThatThrownBy(data::nextKey).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void recordsForRoundsDownToWholeRoundsOfOneKibRecords() {
        assertThat(CompactedData.recordsFor(1L << 30, 10, 1024)).isEqualTo(1_048_570);
        assertThat(CompactedData.recordsFor(100, 10, 1024)).isEqualTo(10);
        assertThatThrownBy(() -> new CompactedData(15, 10, 1, SEED)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysAreFixedWidthText() {
        assertThat(new String(CompactedData.keyBytes(42))).isEqualTo("key-00000042");
    }

    private static List<String> sequence(long seed) {
        CompactedData data = new CompactedData(300, 10, 4, seed);
        List<String> out = new ArrayList<>();
        while (data.hasNext()) {
            out.add(data.nextKey() + ":" + Arrays.toString(data.value()));
        }
        return out;
    }
}
