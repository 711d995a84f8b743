package io.sluice.chaos.inject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends a signal to a process and every process it started, as {@code target.BrokerNode} does: a
 * start script may run the JVM as its child, and a stopped parent with a running child is no pause.
 */
public final class ProcessSignals {
    private static final long KILL_COMMAND_TIMEOUT_MS = 5_000;

    private ProcessSignals() { }

    /**
     * {@code kill -SIGNAL} to {@code process} and its descendants.
     *
     * @param signal a name {@code kill} knows: KILL, STOP, CONT
     * @return the pids signalled
     */
    public static List<Long> signalTree(ProcessHandle process, String signal) throws IOException {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(d -> pids.add(d.pid()));
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> cmd.add(Long.toString(pid)));
        Process k = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(k.getInputStream().readAllBytes()).strip();
        try {
            if (!k.waitFor(KILL_COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                k.destroyForcibly();
                throw new IOException("kill -" + signal + " " + pids + " did not return");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted sending " + signal + " to " + pids, e);
        }
        // A process of the tree may have exited between listing and signalling: only the root matters.
        if (k.exitValue() != 0 && process.isAlive()) {
            throw new IOException("kill -" + signal + " " + pids + " exited " + k.exitValue() + ": " + output);
        }
        return pids;
    }
}
