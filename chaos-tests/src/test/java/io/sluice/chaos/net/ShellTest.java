package io.sluice.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A hung command is killed at the timeout and reported, with what it printed so far. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ShellTest {

    @Test
    void aCommandThatOutlivesTheTimeoutIsKilledAndNamed() {
        long start = System.nanoTime();
        Shell.Result r = Shell.run(List.of("sh", "-c", "echo started; exec sleep 30"), Duration.ofSeconds(1));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(r.ok()).isFalse();
        assertThat(r.exitCode()).isEqualTo(124);
        assertThat(r.output()).contains("timed out", "sh -c echo started; exec sleep 30", "started");
    }

    @Test
    void outputAndExitCodeOfAQuickCommand() {
        Shell.Result r = Shell.run("sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.output()).contains("out", "err");
        assertThat(Shell.check("echo", "hi")).isEqualTo("hi");
        assertThatThrownBy(() -> Shell.check("sh", "-c", "echo nope; exit 1"))
                .hasMessageContaining("sh -c echo nope; exit 1").hasMessageContaining("exited 1").hasMessageContaining("nope");
    }

    @Test
    void aMissingCommandIsAResultNotAnException() {
        Shell.Result r = Shell.run("slcx-no-such-command");
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.output()).contains("slcx-no-such-command");
    }
}
