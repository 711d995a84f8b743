package io.sluice.storage.cleaner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class OffsetMapTest {

    private static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void holdsTheLatestOffsetOfEachKeyUpToItsMemoryBoundTimesTheLoadFactor() {
        OffsetMap map = new OffsetMap(OffsetMap.BYTES_PER_ENTRY * 10_000L, 0.9);
        assertThat(map.entriesMax()).isEqualTo(9_000);
        for (int i = 0; i < 9_000; i++) {
            assertThat(map.isFull()).isFalse();
            map.put(key(i), 0, key(i).length, i);
        }
        assertThat(map.isFull()).isTrue();
        map.put(key(7), 0, key(7).length, 123_456); // a key it holds still takes its newer offset
        assertThat(map.get(key(7), 0, key(7).length)).isEqualTo(123_456);
        assertThat(map.get(key(8_999), 0, key(8_999).length)).isEqualTo(8_999);
        assertThat(map.get(key(9_000), 0, key(9_000).length)).isEqualTo(-1);
        assertThatThrownBy(() -> map.put(key(9_000), 0, key(9_000).length, 1)).isInstanceOf(IllegalStateException.class);
        map.clear();
        assertThat(map.size()).isZero();
        assertThat(map.get(key(7), 0, key(7).length)).isEqualTo(-1);
    }

    @Test
    void kafkasDefaultBufferBoundsTheMapAtItsShareOfTheDedupeBuffer() {
        CleanerConfig twoThreads = CleanerConfig.DEFAULTS.withThreads(2);
        OffsetMap map = new OffsetMap(twoThreads.offsetMapBytesPerThread(), twoThreads.ioBufferLoadFactor());
        assertThat(map.entriesMax()).isEqualTo((int) (64L * 1024 * 1024 / OffsetMap.BYTES_PER_ENTRY * 0.9));
        assertThatThrownBy(() -> new OffsetMap(OffsetMap.BYTES_PER_ENTRY - 1, 0.9))
                .hasMessageContaining("log.cleaner.dedupe.buffer.size");
    }
}
