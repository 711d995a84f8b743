package io.sluice.chaos.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
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

    /**
     * Printed by the generator before cluster-only kinds, roles and node counts existed (main at
     * e3840bd, {@code --faults all}, the six settings): a single node must still draw exactly these.
     */
    @Test
    void oldSingleNodeSeedsReplayExactly() {
        ScheduleGenerator all = new ScheduleGenerator(new ScheduleGenerator.Options(EnumSet.allOf(FaultKind.class),
                List.of("acks0", "acks1", "acksall", "idem", "acksall-flush", "idem-flush"), 15_000, 3, 200, true, true,
                3_000));
        assertThat(all.generate(0x13f1L).toString()).isEqualTo("""
                schedule seed=0x13f1 duration=15000ms
                  workload: topics=[idem, acksall-flush, idem-flush] sends/s/producer=124 assign-commits=true group-consumers=true
                  @1702ms kill n1 for 2694ms
                """);
        assertThat(all.generate(5).toString()).isEqualTo("""
                schedule seed=0x5 duration=15000ms
                  workload: topics=[acks0, idem, acksall-flush, idem-flush] sends/s/producer=173 assign-commits=true group-consumers=false
                  @1321ms corrupt n1 for 0ms (3)
                  @3249ms pause n1 for 978ms
                  @4942ms power-loss n1 for 1917ms (3629)
                """);
        assertThat(all.generate(11).toString()).isEqualTo("""
                schedule seed=0xb duration=15000ms
                  workload: topics=[acks0, acks1, acksall, acksall-flush, idem-flush] sends/s/producer=176 assign-commits=true group-consumers=false
                  @1107ms kill n1 for 987ms
                  @2803ms disk-full n1 for 2818ms
                  @7115ms disk-full n1 for 2528ms
                """);
    }

    @Test
    void aSingleNodeNeverDrawsClusterOnlyFaultsAndDrawsAsBeforeTheyExisted() {
        EnumSet<FaultKind> oneNodeKinds = EnumSet.noneOf(FaultKind.class);
        for (FaultKind k : FaultKind.values()) {
            if (!k.clusterOnly()) {
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
                assertThat(f.kind().clusterOnly()).isFalse();
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
        EnumSet<FaultTarget> aimedAt = EnumSet.noneOf(FaultTarget.class);
        Set<Integer> killCounts = new TreeSet<>();
        for (int i = 0; i < 500; i++) {
            for (FaultEvent f : cluster.generate(ScheduleGenerator.scheduleSeed(runSeed, i)).faults()) {
                drawn.add(f.kind());
                aimedAt.add(f.target());
                assertThat(f.node()).as("run seed %x: %s", runSeed, f).isBetween(0, 4);
                if (!f.kind().aimable()) {
                    assertThat(f.target()).isEqualTo(FaultTarget.NODE);
                }
                if (f.kind().multiNode()) {
                    assertThat(f.nodeCount()).as("run seed %x: %s", runSeed, f).isBetween(1, 3);
                    killCounts.add(f.nodeCount());
                }
                if (f.kind() == FaultKind.CLOCK_JUMP) {
                    assertThat(Math.abs(f.param())).as("run seed %x: %s", runSeed, f).isBetween(500, 7_200_500);
                }
                if (f.kind() == FaultKind.CLOCK_DRIFT) {
                    assertThat(f.param()).as("run seed %x: %s", runSeed, f)
                            .satisfiesAnyOf(p -> assertThat(p).isBetween(25, 99), p -> assertThat(p).isBetween(150, 500));
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
        assertThat(aimedAt).as("every role is aimed at").containsExactlyInAnyOrder(FaultTarget.values());
        assertThat(killCounts).as("one node, a minority of 2 and a majority of 3 of 5").containsExactly(1, 2, 3);
    }

    @Test
    void aMajorityOfThreeIsTwoNodes() {
        ScheduleGenerator three = new ScheduleGenerator(new ScheduleGenerator.Options(EnumSet.of(FaultKind.KILL),
                List.of("acksall"), 30_000, 3, 100, true, true, 15_000, 3));
        long runSeed = new Random().nextLong();
        Set<Integer> counts = new TreeSet<>();
        for (int i = 0; i < 200; i++) {
            three.generate(ScheduleGenerator.scheduleSeed(runSeed, i)).faults().forEach(f -> counts.add(f.nodeCount()));
        }
        assertThat(counts).as("run seed %x", runSeed).containsExactly(1, 2);
    }

    @Test
    void aFaultNamesHowManyNodesItHitsAtOnce() {
        assertThat(new FaultEvent(100, FaultKind.KILL, 1, 500, 2, FaultTarget.PARTITION_LEADER))
                .hasToString("@100ms kill partition-leader/n2 for 500ms (2 nodes)")
                .extracting(FaultEvent::nodeCount).isEqualTo(2);
        assertThat(new FaultEvent(100, FaultKind.PAUSE, 0, 500, 1)).hasToString("@100ms pause n1 for 500ms");
        assertThat(new FaultEvent(100, FaultKind.KILL, 0, 500, 0).nodeCount()).isEqualTo(1);
        assertThat(new FaultEvent(100, FaultKind.SPLIT, 0, 500, 2).nodeCount()).as("a split's param is not a count")
                .isEqualTo(1);
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
