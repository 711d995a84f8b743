package io.sluice.chaos.schedule;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One generated test case: the workload mix and the faults, with the seed that generated it (the
 * same seed and options generate it again). Immutable.
 *
 * @param seed       the schedule's own seed (printed on failure; {@code --replay} takes it)
 * @param durationMs how long the workload runs before healing and the final read
 * @param mix        the workload
 * @param faults     in start order, not overlapping
 */
public record Schedule(long seed, int durationMs, WorkloadMix mix, List<FaultEvent> faults) {
    public Schedule {
        faults = List.copyOf(faults);
    }

    public Set<FaultKind> kinds() {
        EnumSet<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
        faults.forEach(f -> kinds.add(f.kind()));
        return kinds;
    }

    public boolean has(FaultKind kind) {
        return faults.stream().anyMatch(f -> f.kind() == kind);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("schedule seed=0x").append(Long.toHexString(seed)).append(" duration=").append(durationMs)
                .append("ms\n  workload: ").append(mix).append('\n');
        if (faults.isEmpty()) {
            sb.append("  no faults\n");
        }
        for (FaultEvent f : faults) {
            sb.append("  ").append(f).append('\n');
        }
        return sb.toString();
    }
}
