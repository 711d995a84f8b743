package io.sluice.chaos.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ScheduleGeneratorTest {
    private final ScheduleGenerator generator = new ScheduleGenerator(new ScheduleGenerator.Options(
            EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.CORRUPT, FaultKind.SLOW),
            List.of("acks1", "acksall", "idem"), 15_000, 4, 200, true, false, 3_000));

    @Test
    void sameSeedGeneratesTheSameSchedule() {
        long seed = new Random().nextLong();
        assertThat(generator.generate(seed)).as("seed %x", seed).isEqualTo(generator.generate(seed));
    }

    @Test
    void schedulesAreSequentialWithinTheDurationAndUseOnlyAllowedKindsAndWorkloads() {
        long runSeed = new Random().nextLong();
        for (int i = 0; i < 500; i++) {
            long seed = ScheduleGenerator.scheduleSeed(runSeed, i);
            Schedule s = generator.generate(seed);
            int lastEnd = 0;
            for (FaultEvent f : s.faults()) {
                assertThat(f.atMs()).as("run seed %x schedule %x", runSeed, seed).isGreaterThanOrEqualTo(lastEnd)
                        .isLessThan(s.durationMs());
                assertThat(generator.options().kinds()).contains(f.kind());
                lastEnd = f.atMs() + f.durationMs();
            }
            assertThat(s.faults().size()).isBetween(1, 4);
            assertThat(s.mix().topics()).isNotEmpty().isSubsetOf("acks1", "acksall", "idem");
            assertThat(s.mix().groupConsumers()).as("groups not supported").isFalse();
        }
    }

    @Test
    void aSingleNodeNeverDrawsFaultsBetweenNodesAndDrawsAsBeforeTheyExisted() {
        EnumSet<FaultKind> oneNodeKinds = EnumSet.noneOf(FaultKind.class);
        for (FaultKind k : FaultKind.values()) {
            if (!k.betweenNodes()) {
                oneNodeKinds.add(k);
            }
        }
        ScheduleGenerator all = new ScheduleGenerator(new ScheduleGenerator.Options(EnumSet.allOf(FaultKind.class),
                List.of("acks1", "idem"), 15_000, 4, 200, true, true, 3_000));
        ScheduleGenerator before = new ScheduleGenerator(new ScheduleGenerator.Options(oneNodeKinds,
                List.of("acks1", "idem"), 15_000, 4, 200, true, true, 3_000));
        long runSeed = new Random().nextLong();
        for (int i = 0; i < 200; i++) {
            long seed = ScheduleGenerator.scheduleSeed(runSeed, i);
            Schedule s = all.generate(seed);
            assertThat(s).as("run seed %x schedule %x", runSeed, seed).isEqualTo(before.generate(seed));
            assertThat(s.faults()).allSatisfy(f -> {
                assertThat(f.kind().betweenNodes()).isFalse();
                assertThat(f.node()).isZero();
                assertThat(f.target()).isEqualTo(FaultTarget.NODE);
            });
        }
    }

    @Test
    void clusterFaultsNameNodesInRangeAndAimOnlyWhatCanBeAimed() {
        ScheduleGenerator cluster = new ScheduleGenerator(new ScheduleGenerator.Options(EnumSet.allOf(FaultKind.class),
                List.of("acksall", "idem"), 30_000, 3, 100, true, true, 15_000, 5));
        long runSeed = new Random().nextLong();
        EnumSet<FaultKind> drawn = EnumSet.noneOf(FaultKind.class);
        for (int i = 0; i < 500; i++) {
            for (FaultEvent f : cluster.generate(ScheduleGenerator.scheduleSeed(runSeed, i)).faults()) {
                drawn.add(f.kind());
                assertThat(f.node()).as("run seed %x: %s", runSeed, f).isBetween(0, 4);
                if (!f.kind().aimable()) {
                    assertThat(f.target()).isEqualTo(FaultTarget.NODE);
                }
                if (f.kind() == FaultKind.ONE_WAY) {
                    assertThat(f.param()).isBetween(0, 4).isNotEqualTo(f.node());
                }
                if (f.kind() == FaultKind.SPLIT) {
                    assertThat(f.param()).as("a minority of 5").isBetween(1, 2);
                }
            }
        }
        assertThat(drawn).as("every kind is drawn").containsExactlyInAnyOrder(FaultKind.values());
    }

    @Test
    void neighbouringScheduleSeedsDiffer() {
        assertThat(ScheduleGenerator.scheduleSeed(1, 0)).isNotEqualTo(ScheduleGenerator.scheduleSeed(1, 1))
                .isNotEqualTo(ScheduleGenerator.scheduleSeed(2, 0));
    }

    @Test
    void shrinkingKeepsOnlyWhatStillFails() {
        Schedule big = new Schedule(42, 15_000, new WorkloadMix(List.of("acks1"), 160, false,
                false), List.of(new FaultEvent(1000, FaultKind.PAUSE, 0, 500, 0),
                new FaultEvent(3000, FaultKind.KILL, 0, 500, 0), new FaultEvent(6000, FaultKind.SLOW, 0, 500, 50)));

        Schedule small = Shrinker.shrink(big, s -> s.has(FaultKind.KILL), 50);

        assertThat(small.faults()).extracting(FaultEvent::kind).containsExactly(FaultKind.KILL);
        assertThat(small.mix().sendsPerSecond()).isLessThan(160);
        assertThat(small.durationMs()).isLessThan(15_000);
        assertThat(small.seed()).isEqualTo(42);
    }

    @Test
    void shrinkingStopsAtItsRunBudget() {
        Schedule big = generator.generate(5);
        int[] runs = {0};
        Shrinker.shrink(big, s -> {
            runs[0]++;
            return true;
        }, 3);
        assertThat(runs[0]).isEqualTo(3);
    }
}
