package io.sluice.chaos.inject;

import java.util.List;

/**
 * {@code --pause-node N}: SIGSTOP to the node's process tree (a hung process: its sockets stay open,
 * nothing answers), SIGCONT on healing. The pid is the one paused, not re-read, so healing never
 * signals a process that came later. inject and heal are synchronized: a heal from the shutdown hook
 * waits for the signal to be sent, and an inject after a heal does nothing.
 */
public final class NodePause implements Fault {
    private final LocalCluster cluster;
    private final int node;
    private ProcessHandle paused;
    private boolean healing;

    public NodePause(LocalCluster cluster, int node) {
        this.cluster = cluster;
        this.node = node;
    }

    @Override
    public synchronized void inject(ActionLog log) throws Exception {
        if (healing) {
            return;
        }
        ProcessHandle process = cluster.runningProcess(node);
        // Set before the signal: a Ctrl-C right after it must still find what to resume.
        paused = process;
        List<Long> pids = ProcessSignals.signalTree(process, "STOP");
        log.print("paused node " + node + " (SIGSTOP to pid " + pids.get(0)
                + (pids.size() > 1 ? " and its " + (pids.size() - 1) + " child processes" : "") + ")");
    }

    @Override
    public synchronized void heal(ActionLog log) throws Exception {
        healing = true;
        ProcessHandle process = paused;
        if (process == null) {
            return;
        }
        if (!process.isAlive()) {
            log.print("node " + node + " (pid " + process.pid() + ") is gone; nothing to resume");
            return;
        }
        ProcessSignals.signalTree(process, "CONT");
        log.print("resumed node " + node + " (SIGCONT to pid " + process.pid() + ")");
    }
}
