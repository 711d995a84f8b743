package io.sluice.chaos.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Shrinks a failing schedule: drops faults one at a time, then halves the operation rate, then
 * cuts the run short after its last fault, keeping each change only if the schedule still fails.
 * Runs against real processes are not deterministic, so "still fails" is one re-run each, and
 * the number of re-runs is bounded by {@code runsMax}. Stateless apart from its arguments.
 */
public final class Shrinker {
    private static final int MIN_RATE = 10;
    private static final int MIN_DURATION_MS = 4_000;

    private Shrinker() { }

    /** Candidates one step smaller than {@code s}, most valuable first. */
    static List<Schedule> smaller(Schedule s) {
        List<Schedule> out = new ArrayList<>();
        for (int i = 0; i < s.faults().size(); i++) {
            List<FaultEvent> fewer = new ArrayList<>(s.faults());
            fewer.remove(i);
            out.add(new Schedule(s.seed(), s.durationMs(), s.mix(), fewer));
        }
        if (s.mix().sendsPerSecond() / 2 >= MIN_RATE) {
            WorkloadMix m = s.mix();
            out.add(new Schedule(s.seed(), s.durationMs(),
                    new WorkloadMix(m.topics(), m.sendsPerSecond() / 2, m.assignCommits(), m.groupConsumers()),
                    s.faults()));
        }
        int lastEnd = s.faults().stream().mapToInt(f -> f.atMs() + f.durationMs()).max().orElse(0);
        int shorter = Math.max(MIN_DURATION_MS, lastEnd + 2_000);
        if (shorter < s.durationMs()) {
            out.add(new Schedule(s.seed(), shorter, s.mix(), s.faults()));
        }
        return out;
    }

    /** Returns the smallest schedule found that still fails, after at most {@code runsMax} re-runs. */
    public static Schedule shrink(Schedule failing, Predicate<Schedule> stillFails, int runsMax) {
        Schedule current = failing;
        int runs = 0;
        boolean progress = true;
        while (progress && runs < runsMax) {
            progress = false;
            for (Schedule candidate : smaller(current)) {
                if (runs++ >= runsMax) {
                    break;
                }
                if (stillFails.test(candidate)) {
                    current = candidate;
                    progress = true;
                    break;
                }
            }
        }
        return current;
    }
}
