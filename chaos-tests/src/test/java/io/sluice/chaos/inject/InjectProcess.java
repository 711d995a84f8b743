package io.sluice.chaos.inject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code chaos-tests/bin/sluice-chaos inject ...} as a user runs it, in its own process (so its
 * cgroup moves and shutdown hook are its own, and this JVM stays a client outside the cluster's
 * cgroups), with its output collected line by line.
 */
final class InjectProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    InjectProcess(Path repo, Path home, String... args) throws IOException {
        // SIGINT at its default, as in a terminal: a test run started in the background (nohup, `&` without
        // job control) inherits SIGINT ignored, and a JVM that starts so never runs its hooks on Ctrl-C.
        List<String> argv = new ArrayList<>(List.of("env", "--default-signal=INT",
                repo.resolve("chaos-tests/bin/sluice-chaos").toString(), "inject", "--home", home.toString()));
        argv.addAll(List.of(args));
        process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        reader = new Thread(this::read, "inject-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[inject] " + line);
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** The first printed line containing {@code text}; fails naming the output if none came within {@code timeout}. */
    String awaitLine(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
                long leftMs = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("no line with '" + text + "' from inject; it printed: " + lines);
                }
                lines.wait(Math.min(leftMs, 200));
            }
        }
    }

    /** SIGINT, as Ctrl-C sends it. */
    void interrupt() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
    }

    /** Waits for the exit and returns its code; fails if it does not exit within {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("inject did not exit within " + timeout + "; it printed: " + output());
        }
        reader.join(2_000);
        return process.exitValue();
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** SIGTERM (its hook heals), then SIGKILL if it hangs: a test never leaves it running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
