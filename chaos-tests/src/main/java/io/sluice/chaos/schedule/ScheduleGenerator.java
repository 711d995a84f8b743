package io.sluice.chaos.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates schedules from a seed: a pure function of (seed, options), so a printed seed replays
 * its schedule. Faults are sequential (one heals before the next starts) and leave the end of
 * the run free for recovery. Immutable, thread-safe.
 */
public final class ScheduleGenerator {
    /**
     * @param kinds          fault kinds to draw from (empty: workload only)
     * @param topics         settings to draw from
     * @param durationMs     workload length per schedule
     * @param faultsMax      at most this many faults per schedule
     * @param sendsPerSecond producer rate upper bound
     * @param commits        assign consumers may commit (target supports it)
     * @param groups         group consumers may run (target supports it)
     * @param faultMsMax     longest fault (down time, pause, hold); past the broker's session timeout it
     *                       also exercises fencing and unfencing
     * @param nodes          cluster size; with one node, cluster-only kinds ({@link FaultKind#clusterOnly})
     *                       are never drawn and the draws are exactly those of the single-node suite
     *                       (its seeds replay)
     */
    public record Options(Set<FaultKind> kinds, List<String> topics, int durationMs, int faultsMax,
                          int sendsPerSecond, boolean commits, boolean groups, int faultMsMax, int nodes) {
        public Options {
            kinds = Set.copyOf(kinds);
            topics = List.copyOf(topics);
            if (nodes < 1) {
                throw new IllegalArgumentException("nodes must be at least 1, not " + nodes);
            }
        }

        /** Single-node options. */
        public Options(Set<FaultKind> kinds, List<String> topics, int durationMs, int faultsMax, int sendsPerSecond,
                       boolean commits, boolean groups, int faultMsMax) {
            this(kinds, topics, durationMs, faultsMax, sendsPerSecond, commits, groups, faultMsMax, 1);
        }

        /** The same options with other workload switches (after the capability probe). */
        public Options withWorkloads(boolean commits, boolean groups) {
            return new Options(kinds, topics, durationMs, faultsMax, sendsPerSecond, commits, groups, faultMsMax, nodes);
        }
    }

    private static final int LEAD_IN_MS = 1_000;
    private static final int TAIL_MS = 1_500;
    private static final int CLOCK_JUMP_MS_MIN = 500;
    /** Upper bounds of a clock jump: ten seconds, ten minutes, two hours. */
    private static final int[] CLOCK_JUMP_SCALES_MS = {10_000, 600_000, 7_200_000};
    private static final int CLOCK_SLOW_PERCENT_MIN = 25;
    private static final int CLOCK_FAST_PERCENT_MIN = 150;
    private static final int CLOCK_FAST_PERCENT_MAX = 500;

    private final Options options;

    public ScheduleGenerator(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** The seed of the i-th schedule of a run: spread so neighbouring runs share nothing. */
    public static long scheduleSeed(long runSeed, int index) {
        long z = runSeed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public Schedule generate(long seed) {
        Random r = new Random(seed);
        List<String> topics = new ArrayList<>();
        for (String t : options.topics()) {
            if (r.nextInt(4) != 0) {
                topics.add(t);
            }
        }
        if (topics.isEmpty()) {
            topics.add(options.topics().get(r.nextInt(options.topics().size())));
        }
        int rate = Math.max(10, options.sendsPerSecond() / 2 + r.nextInt(options.sendsPerSecond() / 2 + 1));
        WorkloadMix mix = new WorkloadMix(topics, rate, options.commits() && r.nextBoolean(),
                options.groups() && r.nextBoolean());

        boolean cluster = options.nodes() > 1;
        List<FaultKind> kinds = options.kinds().stream().filter(k -> cluster || !k.clusterOnly()).sorted().toList();
        List<FaultEvent> faults = new ArrayList<>();
        int t = LEAD_IN_MS + r.nextInt(1_000);
        int end = options.durationMs() - TAIL_MS;
        int count = kinds.isEmpty() ? 0 : 1 + r.nextInt(Math.max(1, options.faultsMax()));
        for (int i = 0; i < count && t < end; i++) {
            FaultKind kind = kinds.get(r.nextInt(kinds.size()));
            int duration = 300 + r.nextInt(Math.max(1, options.faultMsMax() - 300));
            int param = switch (kind) {
                case SLOW -> 20 + r.nextInt(480);
                case POWER_LOSS -> r.nextInt(4_096);
                case CORRUPT -> 1 + r.nextInt(8);
                case FUZZ -> 4 + r.nextInt(29);
                default -> 0;
            };
            if (kind == FaultKind.CORRUPT) {
                duration = 0; // instantaneous; the workload then reads over it
            }
            if (!cluster) {
                faults.add(new FaultEvent(t, kind, 0, duration, param)); // no further draws: old seeds replay
            } else {
                faults.add(clusterFault(r, t, kind, duration, param));
            }
            t += duration + 500 + r.nextInt(2_000);
        }
        return new Schedule(seed, options.durationMs(), mix, faults);
    }

    /** Draws the node, the role and the kind's own parameter of a fault in a cluster. */
    private FaultEvent clusterFault(Random r, int at, FaultKind kind, int duration, int param) {
        int n = options.nodes();
        int node = r.nextInt(n);
        FaultTarget target = kind.aimable()
                ? FaultTarget.values()[r.nextInt(FaultTarget.values().length)] : FaultTarget.NODE;
        int p = switch (kind) {
            case SPLIT -> 1 + r.nextInt(Math.max(1, (n - 1) / 2));
            case ONE_WAY -> (node + 1 + r.nextInt(n - 1)) % n;
            case FLAP -> 200 + r.nextInt(1_300);
            case KILL, PAUSE -> nodesAtOnce(r, n);
            case CLOCK_JUMP -> clockJumpMs(r);
            case CLOCK_DRIFT -> r.nextBoolean() ? CLOCK_SLOW_PERCENT_MIN + r.nextInt(100 - CLOCK_SLOW_PERCENT_MIN)
                    : CLOCK_FAST_PERCENT_MIN + r.nextInt(CLOCK_FAST_PERCENT_MAX - CLOCK_FAST_PERCENT_MIN + 1);
            default -> param;
        };
        return new FaultEvent(at, kind, node, duration, p, target);
    }

    /** Half the time one node; else a minority (up to (n-1)/2) or a majority (n/2+1), as often. */
    private static int nodesAtOnce(Random r, int n) {
        return switch (r.nextInt(4)) {
            case 2 -> 1 + r.nextInt(Math.max(1, (n - 1) / 2));
            case 3 -> n / 2 + 1;
            default -> 1;
        };
    }

    /** Seconds, minutes or hours, forward or back; never near log.retention.ms (7 days), which would delete data by design. */
    private static int clockJumpMs(Random r) {
        int magnitude = CLOCK_JUMP_MS_MIN + r.nextInt(CLOCK_JUMP_SCALES_MS[r.nextInt(CLOCK_JUMP_SCALES_MS.length)]);
        return r.nextBoolean() ? magnitude : -magnitude;
    }
}
