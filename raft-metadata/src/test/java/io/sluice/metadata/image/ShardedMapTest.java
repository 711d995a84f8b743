package io.sluice.metadata.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShardedMapTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());

    @Test
    void behavesLikeAHashMapAndBuiltMapsNeverChange() {
        SplittableRandom random = new SplittableRandom(SEED);
        Map<Integer, Integer> model = new HashMap<>();
        ShardedMap<Integer, Integer> current = ShardedMap.empty();
        for (int round = 0; round < 200; round++) {
            ShardedMap.Draft<Integer, Integer> draft = new ShardedMap.Draft<>(current);
            Map<Integer, Integer> before = new HashMap<>(model);
            ShardedMap<Integer, Integer> frozen = current;
            for (int i = 0; i < 50; i++) {
                int k = random.nextInt(2000);
                if (random.nextInt(3) == 0) {
                    draft.remove(k);
                    model.remove(k);
                } else {
                    draft.put(k, i);
                    model.put(k, i);
                }
                if (random.nextInt(10) == 0) {
                    ShardedMap<Integer, Integer> mid = draft.build();
                    Map<Integer, Integer> midCopy = new HashMap<>(model);
                    draft.put(-1, -1);
                    draft.remove(-1);
                    assertThat(mid).as("seed %d", SEED).isEqualTo(midCopy);
                }
            }
            current = draft.build();
            assertThat(current).as("seed %d", SEED).isEqualTo(model).hasSize(model.size());
            assertThat(frozen).as("earlier map unchanged, seed %d", SEED).isEqualTo(before);
        }
        ShardedMap<Integer, Integer> last = current;
        assertThatThrownBy(() -> last.put(1, 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> last.entrySet().iterator().remove()).isInstanceOf(RuntimeException.class);
    }
}
