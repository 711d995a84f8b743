package io.sluice.bench.broker.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class IsrShrinkCounterTest {
    private static final Set<Integer> FULL = Set.of(1, 2, 3);

    @Test
    void firstObservationIsTheBaselineNotAShrink() {
        IsrShrinkCounter counter = new IsrShrinkCounter();

        int seen = counter.observe(0, Map.of(0, Set.of(1, 2), 1, FULL));

        assertThat(seen).isZero();
        assertThat(counter.shrinks()).isZero();
        assertThat(counter.minIsrSize()).isEqualTo(2);
        assertThat(counter.observations()).isEqualTo(1);
    }

    @Test
    void aPartitionLosingReplicasIsOneShrinkHoweverManyItLost() {
        IsrShrinkCounter counter = new IsrShrinkCounter();
        counter.observe(0, Map.of(0, FULL, 1, FULL));

        int seen = counter.observe(500, Map.of(0, Set.of(1), 1, Set.of(1, 3)));

        assertThat(seen).isEqualTo(2);
        assertThat(counter.shrinks()).isEqualTo(2);
        assertThat(counter.replicasRemoved()).isEqualTo(3);
        assertThat(counter.expands()).isZero();
        assertThat(counter.minIsrSize()).isEqualTo(1);
        assertThat(counter.events()).containsExactlyInAnyOrder("0.5 s: partition 0 shrink [1, 2, 3] -> [1]",
                "0.5 s: partition 1 shrink [1, 2, 3] -> [1, 3]");
    }

    @Test
    void shrinkThenExpandCountsOneOfEachAndAnUnchangedIsrNothing() {
        IsrShrinkCounter counter = new IsrShrinkCounter();
        counter.observe(0, Map.of(0, FULL));
        counter.observe(1000, Map.of(0, Set.of(2, 3)));
        counter.observe(2000, Map.of(0, Set.of(2, 3)));

        counter.observe(3000, Map.of(0, FULL));

        assertThat(counter.shrinks()).isEqualTo(1);
        assertThat(counter.expands()).isEqualTo(1);
        assertThat(counter.events()).containsExactly("1.0 s: partition 0 shrink [1, 2, 3] -> [2, 3]",
                "3.0 s: partition 0 expand [2, 3] -> [1, 2, 3]");
    }

    @Test
    void aPartitionMissingFromAnObservationKeepsItsLastIsr() {
        IsrShrinkCounter counter = new IsrShrinkCounter();
        counter.observe(0, Map.of(0, FULL, 1, FULL));
        counter.observe(500, Map.of(1, FULL));

        counter.observe(1000, Map.of(0, FULL, 1, FULL));

        assertThat(counter.shrinks()).isZero();
        assertThat(counter.expands()).isZero();
    }

    @Test
    void replacingAReplicaIsAShrinkAndAnExpand() {
        IsrShrinkCounter counter = new IsrShrinkCounter();
        counter.observe(0, Map.of(0, FULL));

        counter.observe(500, Map.of(0, Set.of(1, 2, 4)));

        assertThat(counter.shrinks()).isEqualTo(1);
        assertThat(counter.expands()).isEqualTo(1);
    }

    @Test
    void eventsAreBoundedButCountingGoesOn() {
        IsrShrinkCounter counter = new IsrShrinkCounter();
        counter.observe(0, Map.of(0, FULL));
        for (int i = 1; i <= IsrShrinkCounter.EVENTS_MAX; i++) {
            counter.observe(i * 2L, Map.of(0, Set.of(1)));
            counter.observe(i * 2L + 1, Map.of(0, FULL));
        }

        assertThat(counter.shrinks()).isEqualTo(IsrShrinkCounter.EVENTS_MAX);
        assertThat(counter.events()).hasSize(IsrShrinkCounter.EVENTS_MAX);
    }
}
