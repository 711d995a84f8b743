package io.sluice.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which nodes a fault hits at once, and how far a drifting clock is off. */
@Timeout(10)
class NemesisTest {

    @Test
    void aFaultOnSeveralNodesTakesTheAimedOneThenTheNextOnesWrappingAround() {
        assertThat(Nemesis.nodesHit(1, 1, 3)).containsExactly(1);
        assertThat(Nemesis.nodesHit(2, 2, 3)).as("a majority of 3").containsExactly(2, 0);
        assertThat(Nemesis.nodesHit(4, 2, 5)).as("a minority of 5").containsExactly(4, 0);
        assertThat(Nemesis.nodesHit(0, 0, 3)).as("0 means one node").containsExactly(0);
        assertThat(Nemesis.nodesHit(1, 9, 3)).as("never more than the cluster").containsExactly(1, 2, 0);
    }

    @Test
    void aDriftingClockIsOffByTheElapsedTimeTimesItsSpeedError() {
        assertThat(ClockFaults.driftOffsetMs(10_000, 200)).isEqualTo(10_000);
        assertThat(ClockFaults.driftOffsetMs(10_000, 50)).isEqualTo(-5_000);
        assertThat(ClockFaults.driftOffsetMs(10_000, 100)).isZero();
        assertThat(ClockFaults.driftOffsetMs(0, 500)).isZero();
    }
}
