package io.sluice.chaos.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        return run(argv, COMMAND_TIMEOUT);
    }

    /**
     * Runs {@code argv}, killing it after {@code timeout}: then the result is exit code 124 and
     * names the command and what it printed so far. The output goes to a temp file, not a pipe, so
     * waiting does not depend on the command closing its stdout (nor on a full pipe).
     */
    static Result run(List<String> argv, Duration timeout) {
        String command = String.join(" ", argv);
        Path out;
        try {
            out = Files.createTempFile("slcx-shell-", ".out");
        } catch (IOException e) {
            return new Result(127, "cannot run " + command + ": no temp file for its output: " + e.getMessage());
        }
        Process p = null;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
                return new Result(124, "`" + command + "` timed out after " + timeout + " and was killed; output so far: "
                        + read(out));
            }
            return new Result(p.exitValue(), read(out));
        } catch (IOException e) {
            return new Result(127, "cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted: " + command);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a stray temp file is harmless
            }
        }
    }

    private static String read(Path out) {
        try {
            return new String(Files.readAllBytes(out), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
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
