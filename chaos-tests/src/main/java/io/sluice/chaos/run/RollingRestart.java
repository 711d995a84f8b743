package io.sluice.chaos.run;

import io.sluice.chaos.target.BrokerNode;
import io.sluice.chaos.target.Cluster;
import io.sluice.chaos.target.ServingProbe;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * A rolling restart as an operator does one: node after node, each stopped (SIGTERM and a wait
 * for its exit, or SIGKILL), kept down for its share of the fault's duration, started, and only
 * when the cluster serves again and every workload partition has its full ISR back does the next
 * node go — taking a node down while another is still catching up is a second fault, not a
 * rolling restart. Runs on the nemesis's thread; not thread-safe.
 */
final class RollingRestart {
    /** Kafka's controlled shutdown moves leadership away first; on a busy machine that took seconds. */
    static final Duration CLEAN_STOP_GRACE = Duration.ofSeconds(60);
    static final Duration IN_SYNC_TIMEOUT = Duration.ofSeconds(60);
    private static final long IN_SYNC_POLL_MS = 250;
    private static final long ANSWER_TIMEOUT_MS = 5_000;

    private final Cluster cluster;
    private final Nemesis nemesis;
    private final Collection<String> topics;
    private final List<String> notes;

    RollingRestart(Cluster cluster, Nemesis nemesis, Collection<String> topics, List<String> notes) {
        this.cluster = cluster;
        this.nemesis = nemesis;
        this.topics = topics;
        this.notes = notes;
    }

    /**
     * @param first      the index of the node to restart first; the others follow in index order
     * @param clean      SIGTERM (else SIGKILL)
     * @param durationMs the down time of all nodes together
     */
    void run(int first, boolean clean, int durationMs) throws IOException, InterruptedException {
        int n = cluster.size();
        long downMs = durationMs / n;
        for (int index : Nemesis.nodesHit(first, n, n)) {
            BrokerNode node = cluster.node(index);
            long stopStart = System.nanoTime();
            if (clean) {
                boolean exited = node.stop(CLEAN_STOP_GRACE);
                long ms = (System.nanoTime() - stopStart) / 1_000_000;
                notes.add(exited ? "rolling restart: " + node.name() + " exited " + ms + "ms after SIGTERM"
                        : "rolling restart: " + node.name() + " did not exit within " + CLEAN_STOP_GRACE
                        + " of SIGTERM and was killed");
            } else {
                node.kill();
            }
            Thread.sleep(downMs);
            nemesis.restart(node, "in a rolling " + (clean ? "restart" : "kill") + " (" + node.name() + ")");
            long syncStart = System.nanoTime();
            if (!awaitFullIsr(IN_SYNC_TIMEOUT)) {
                notes.add("rolling " + (clean ? "restart" : "kill") + ": replicas not all in sync " + IN_SYNC_TIMEOUT
                        + " after " + node.name() + " served again; went on");
            } else {
                notes.add("rolling " + (clean ? "restart" : "kill") + ": every replica in sync "
                        + (System.nanoTime() - syncStart) / 1_000_000 + "ms after " + node.name() + " served again");
            }
        }
    }

    /** Polls until every partition of the workload topics has every replica in its ISR. */
    private boolean awaitFullIsr(Duration timeout) throws InterruptedException {
        if (topics.isEmpty()) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = ServingProbe.admin(cluster.bootstrap())) {
            while (System.nanoTime() < deadline) {
                try {
                    Map<String, TopicDescription> d = admin.describeTopics(topics).allTopicNames()
                            .get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    if (d.values().stream().flatMap(t -> t.partitions().stream())
                            .allMatch(p -> p.isr().size() == p.replicas().size())) {
                        return true;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not answering yet: ask again
                }
                Thread.sleep(IN_SYNC_POLL_MS);
            }
        }
        return false;
    }
}
