package io.sluice.bench.broker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProcStatsTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void cpuTimeGrowsWithWork() {
        long before = ProcStats.cpuNanos(SELF);
        long sink = 0;
        // Spin until the kernel has charged us 50 ms (on a crowded machine that takes longer than 50 ms).
        long until = System.nanoTime() + 8_000_000_000L;
        while (System.nanoTime() < until && ProcStats.cpuNanos(SELF) - before < 50_000_000L) {
            for (int i = 0; i < 100_000; i++) {
                sink += Long.numberOfTrailingZeros(sink + i);
            }
        }
        long after = ProcStats.cpuNanos(SELF);

        assertThat(before).isPositive();
        assertThat(after - before).as("sink %d", sink).isGreaterThanOrEqualTo(50_000_000L);
    }

    @Test
    void memoryFiguresAreReadFromStatus() {
        assertThat(ProcStats.rssBytes(SELF)).isGreaterThan(10L << 20);
        assertThat(ProcStats.peakRssBytes(SELF)).isGreaterThanOrEqualTo(ProcStats.rssAnonBytes(SELF));
    }

    @Test
    void aGoneProcessReadsAsMinusOne() {
        assertThat(ProcStats.cpuNanos(Integer.MAX_VALUE)).isEqualTo(-1);
        assertThat(ProcStats.peakRssBytes(Integer.MAX_VALUE)).isNegative();
    }

    @Test
    void thisJvmIsItsOwnJvmPid() {
        assertThat(ProcStats.jvmPid(ProcessHandle.current())).isEqualTo(SELF);
    }
}
