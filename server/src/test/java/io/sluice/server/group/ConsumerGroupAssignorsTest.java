package io.sluice.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.consumer.RangeAssignor;
import io.sluice.server.group.consumer.UniformAssignor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server-side assignors: complete, disjoint, balanced; uniform sticky; range contiguous. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConsumerGroupAssignorsTest {

    static final Uuid T1 = new Uuid(1, 1);
    static final Uuid T2 = new Uuid(2, 2);

    static void assertCompleteAndDisjoint(Map<String, Map<Uuid, Set<Integer>>> a, Map<Uuid, Integer> counts) {
        Set<String> seen = new HashSet<>();
        a.values().forEach(m -> m.forEach((t, ps) -> ps.forEach(p -> assertThat(seen.add(t + "-" + p)).isTrue())));
        assertThat(seen).hasSize(counts.values().stream().mapToInt(Integer::intValue).sum());
    }

    static int count(Map<Uuid, Set<Integer>> m) {
        return m.values().stream().mapToInt(Set::size).sum();
    }

    @Test
    void uniformSplitsEvenlyAndKeepsPartitionsWhenAMemberJoins() {
        long seed = new Random().nextLong();
        System.out.println("seed " + seed);
        Random rnd = new Random(seed);
        for (int run = 0; run < 50; run++) {
            int members = 1 + rnd.nextInt(6);
            Map<Uuid, Integer> counts = Map.of(T1, 1 + rnd.nextInt(12), T2, 1 + rnd.nextInt(12));
            Map<String, Set<Uuid>> subs = new HashMap<>();
            for (int i = 0; i < members; i++) {
                subs.put("m" + i, Set.of(T1, T2));
            }
            Map<String, Map<Uuid, Set<Integer>>> first = new UniformAssignor().assign(subs, counts, Map.of());
            assertCompleteAndDisjoint(first, counts);
            int min = first.values().stream().mapToInt(ConsumerGroupAssignorsTest::count).min().orElseThrow();
            int max = first.values().stream().mapToInt(ConsumerGroupAssignorsTest::count).max().orElseThrow();
            assertThat(max - min).as("seed %d", seed).isLessThanOrEqualTo(1);
            subs.put("new", Set.of(T1, T2));
            Map<String, Map<Uuid, Set<Integer>>> second = new UniformAssignor().assign(subs, counts, first);
            assertCompleteAndDisjoint(second, counts);
            int moved = 0;
            for (String m : first.keySet()) {
                int kept = 0;
                for (var e : second.get(m).entrySet()) {
                    kept += (int) e.getValue().stream().filter(p -> first.get(m).getOrDefault(e.getKey(), Set.of()).contains(p)).count();
                }
                moved += count(first.get(m)) - kept;
            }
            assertThat(moved).as("only what the newcomer takes moves (seed %d)", seed).isEqualTo(count(second.get("new")));
        }
    }

    @Test
    void rangeGivesContiguousRangesInMemberOrder() {
        Map<String, Map<Uuid, Set<Integer>>> a = new RangeAssignor().assign(
                Map.of("b", Set.of(T1), "a", Set.of(T1), "c", Set.of(T1, T2)), Map.of(T1, 7, T2, 2), Map.of());
        assertThat(a.get("a").get(T1)).containsExactly(0, 1, 2);
        assertThat(a.get("b").get(T1)).containsExactly(3, 4);
        assertThat(a.get("c").get(T1)).containsExactly(5, 6);
        assertThat(a.get("c").get(T2)).containsExactly(0, 1);
    }
}
