package io.sluice.chaos.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one short system command ({@code ip}, {@code iptables}) and returns its exit code and
 * output. Stateless and thread-safe.
 */
public final class Shell {
    /** Every command the harness runs is a quick configuration call; one that hangs is killed. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private Shell() { }

    /** Exit code and combined stdout/stderr. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    public static Result run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            // Read before waiting: a full pipe would block the command.
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(124, "timed out after " + COMMAND_TIMEOUT + ": " + String.join(" ", argv));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Result(127, "cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted: " + String.join(" ", argv));
        }
    }

    public static Result run(String... argv) {
        return run(List.of(argv));
    }

    /** Runs the command and throws, naming it and its output, unless it exits 0. */
    public static String check(String... argv) {
        Result r = run(argv);
        if (!r.ok()) {
            throw new IllegalStateException("`" + String.join(" ", argv) + "` exited " + r.exitCode() + ": "
                    + r.output());
        }
        return r.output();
    }
}
