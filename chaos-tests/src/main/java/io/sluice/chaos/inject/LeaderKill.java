package io.sluice.chaos.inject;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code --kill-leader TOPIC-P}: SIGKILL to the node leading the partition (its whole process tree),
 * then the figure a user wants, when another node took leadership over. Healing restarts the node
 * with {@code bin/sluice cluster start} (unless told not to) and reports when it is back in the ISR.
 */
public final class LeaderKill implements Fault {
    /** How long to watch for a new leader: well above Kafka's 9 s broker session timeout. */
    static final Duration LEADER_MOVE_TIMEOUT = Duration.ofSeconds(60);
    /** How long to watch the restarted node catch up into the ISR. */
    static final Duration ISR_RETURN_TIMEOUT = Duration.ofSeconds(60);
    private static final long EXIT_WAIT_MS = 10_000;

    private final LocalCluster cluster;
    private final String bootstrap;
    private final TopicPartition partition;
    private final boolean restart;
    private int killed = -1;
    private boolean healing;

    public LeaderKill(LocalCluster cluster, String bootstrap, TopicPartition partition, boolean restart) {
        this.cluster = cluster;
        this.bootstrap = bootstrap;
        this.partition = partition;
        this.restart = restart;
    }

    @Override
    public void inject(ActionLog log) throws Exception {
        try (LeaderWatch watch = new LeaderWatch(bootstrap)) {
            int leader = watch.leader(partition).orElseThrow(() -> new IllegalStateException(partition
                    + " has no leader now; nothing to kill"));
            if (!kill(leader, log)) {
                return;
            }
            Optional<Integer> next = watch.awaitLeaderOtherThan(partition, leader, LEADER_MOVE_TIMEOUT);
            if (next.isPresent()) {
                log.print("leadership of " + partition + " moved to node " + next.get());
            } else {
                log.print("leadership of " + partition + " did not move within " + LEADER_MOVE_TIMEOUT.toSeconds()
                        + " s");
            }
        }
    }

    /** Kills {@code leader} unless healing began; under the lock, so a heal cannot miss the kill. */
    private synchronized boolean kill(int leader, ActionLog log) throws Exception {
        if (healing) {
            return false;
        }
        ProcessHandle process = cluster.runningProcess(leader);
        killed = leader;
        ProcessSignals.signalTree(process, "KILL");
        process.onExit().get(EXIT_WAIT_MS, TimeUnit.MILLISECONDS);
        log.print("killed node " + leader + " (pid " + process.pid() + "), leader of " + partition);
        return true;
    }

    @Override
    public void heal(ActionLog log) throws Exception {
        int node;
        synchronized (this) {
            healing = true;
            node = killed;
        }
        if (node < 0) {
            return;
        }
        if (!restart) {
            log.print("node " + node + " stays down (--no-restart); start it again with: " + cluster.startCommand());
            return;
        }
        log.print("restarting node " + node + " (" + cluster.startCommand() + ")");
        cluster.startMissingNodes();
        log.print("node " + node + " started again (pid " + cluster.process(node).map(ProcessHandle::pid)
                .map(String::valueOf).orElse("?") + ")");
        try (LeaderWatch watch = new LeaderWatch(bootstrap)) {
            if (watch.awaitIsrMembership(partition, node, true, ISR_RETURN_TIMEOUT)) {
                log.print("node " + node + " is back in the ISR of " + partition);
            } else {
                log.print("node " + node + " is not back in the ISR of " + partition + " after "
                        + ISR_RETURN_TIMEOUT.toSeconds() + " s");
            }
        }
    }
}
