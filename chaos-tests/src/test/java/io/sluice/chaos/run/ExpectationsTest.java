package io.sluice.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.chaos.checker.Anomaly;
import io.sluice.chaos.schedule.FaultEvent;
import io.sluice.chaos.schedule.FaultKind;
import io.sluice.chaos.schedule.FaultTarget;
import io.sluice.chaos.schedule.Schedule;
import io.sluice.chaos.schedule.WorkloadMix;
import io.sluice.chaos.workload.TopicSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What must hold under the cluster faults: majority kills and a lone power loss. */
@Timeout(10)
class ExpectationsTest {
    private static final TopicSpec ACKS_ALL = new TopicSpec("acksall", 2, "all", false, false);
    private static final TopicSpec IDEM = new TopicSpec("idem", 2, "all", true, false);
    private static final TopicSpec ACKS_1 = new TopicSpec("acks1", 2, "1", false, false);

    private static Schedule of(FaultEvent... faults) {
        return new Schedule(1, 20_000, new WorkloadMix(List.of("acksall", "idem", "acks1"), 50, true, true),
                List.of(faults));
    }

    @Test
    void aMajorityKillOrPauseTakesNoGuaranteeAway() {
        Schedule majorityKill = of(new FaultEvent(1_000, FaultKind.KILL, 0, 5_000, 2, FaultTarget.PARTITION_LEADER));
        Schedule majorityPause = of(new FaultEvent(1_000, FaultKind.PAUSE, 0, 5_000, 2));
        for (Schedule s : List.of(majorityKill, majorityPause)) {
            assertThat(Expectations.asserted(ACKS_ALL, s, false, 3)).contains(Anomaly.LOST, Anomaly.UNSEEN,
                    Anomaly.INCONSISTENT_OFFSET, Anomaly.COMMIT_BACKWARDS);
            assertThat(Expectations.asserted(IDEM, s, false, 3)).contains(Anomaly.LOST, Anomaly.DUPLICATE);
            assertThat(Expectations.asserted(ACKS_1, s, false, 3)).as("acks=1 in a cluster is measured").isEmpty();
        }
    }

    @Test
    void onePowerLossInAClusterMustNotLoseAcknowledgedAcksAllWrites() {
        Schedule lone = of(new FaultEvent(1_000, FaultKind.SLOW, 1, 1_000, 50),
                new FaultEvent(3_000, FaultKind.POWER_LOSS, 0, 2_000, 100, FaultTarget.PARTITION_LEADER));
        assertThat(Expectations.asserted(ACKS_ALL, lone, false, 3)).contains(Anomaly.LOST, Anomaly.UNSEEN)
                .as("a power loss may take commits back").doesNotContain(Anomaly.COMMIT_BACKWARDS);
        assertThat(Expectations.asserted(IDEM, lone, false, 5)).contains(Anomaly.LOST, Anomaly.DUPLICATE);
        assertThat(Expectations.asserted(ACKS_1, lone, false, 3)).isEmpty();
        assertThat(Expectations.asserted(ACKS_ALL, lone, false, 1)).as("one node has no other replica").isEmpty();
    }

    @Test
    void aPowerLossNextToAnotherNodeFaultOrASecondPowerLossIsMeasuredOnly() {
        Schedule afterKill = of(new FaultEvent(1_000, FaultKind.KILL, 1, 1_000, 1),
                new FaultEvent(3_000, FaultKind.POWER_LOSS, 0, 2_000, 100));
        Schedule twice = of(new FaultEvent(1_000, FaultKind.POWER_LOSS, 1, 1_000, 100),
                new FaultEvent(3_000, FaultKind.POWER_LOSS, 0, 2_000, 100));
        Schedule afterRolling = of(new FaultEvent(1_000, FaultKind.ROLLING_KILL, 1, 1_000, 0),
                new FaultEvent(9_000, FaultKind.POWER_LOSS, 0, 2_000, 100));
        for (Schedule s : List.of(afterKill, twice, afterRolling)) {
            assertThat(Expectations.asserted(ACKS_ALL, s, false, 3)).as("%s", s).isEmpty();
        }
    }
}
