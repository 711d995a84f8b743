package io.sluice.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The cleaner's I/O bound with a stepped clock: excess slept off, the bound shared by every cleaner thread. */
class ThrottlerTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<Long> slept = new ArrayList<>();

    private Throttler throttler(double bytesPerSecondMax) {
        return new Throttler(bytesPerSecondMax, clock::get, ms -> {
            slept.add(ms);
            clock.addAndGet(ms);
        });
    }

    @Test
    void ioOverTheBoundIsSleptOffAndIoUnderItIsNot() throws Exception {
        Throttler t = throttler(1000);
        clock.addAndGet(500);
        t.maybeThrottle(400); // 800 B/s over 500 ms: under the bound
        assertThat(slept).isEmpty();
        clock.addAndGet(500);
        t.maybeThrottle(1000); // 2000 B/s: 1000 B take 1 s at the bound, 500 ms went by
        assertThat(slept).containsExactly(500L);
    }

    @Test
    void twoCleanerThreadsShareOneBound() throws Exception {
        Throttler shared = throttler(1000);
        clock.addAndGet(100);
        shared.maybeThrottle(200); // one thread: 200 B, under an interval's worth (300 B) in 100 ms
        assertThat(slept).isEmpty();
        shared.maybeThrottle(200); // the other: 400 B together in 100 ms, 400 ms at the bound
        assertThat(slept).containsExactly(300L);
    }

    @Test
    void unlimitedNeverSleeps() throws Exception {
        Throttler t = throttler(Double.MAX_VALUE);
        t.maybeThrottle(Long.MAX_VALUE / 2);
        assertThat(slept).isEmpty();
    }
}
