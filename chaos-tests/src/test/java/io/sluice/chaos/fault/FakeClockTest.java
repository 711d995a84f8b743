package io.sluice.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A process started under a {@link FakeClock} sees its wall clock where the clock puts it. */
@Timeout(30)
class FakeClockTest {

    @Test
    void offsetsAreWrittenInLibfaketimesSyntax() {
        assertThat(FakeClock.format(0)).isEqualTo("+0.000");
        assertThat(FakeClock.format(3_600_000)).isEqualTo("+3600.000");
        assertThat(FakeClock.format(-1_250)).isEqualTo("-1.250");
    }

    @Test
    void aProcessStartedUnderTheClockSeesItsOffsetAndNotTheTrueTime(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(FakeClock.unavailableReason() == null, FakeClock.unavailableReason());
        FakeClock clock = FakeClock.create(dir.resolve("faketime")).orElseThrow();
        assertThat(Files.readString(clock.timestampFile())).isEqualTo("+0.000\n");

        long trueSeconds = System.currentTimeMillis() / 1000;
        assertThat(secondsSeenBy(clock) - trueSeconds).as("zero offset").isBetween(-2L, 5L);

        clock.offset(-7_200_000);
        trueSeconds = System.currentTimeMillis() / 1000;
        assertThat(secondsSeenBy(clock) - trueSeconds).as("two hours back").isBetween(-7_202L, -7_195L);
        assertThat(clock.offsetMs()).isEqualTo(-7_200_000);
    }

    private static long secondsSeenBy(FakeClock clock) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of("date", "+%s")).redirectErrorStream(true);
        pb.environment().putAll(clock.environment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Long.parseLong(out);
    }
}
