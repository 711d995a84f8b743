package io.sluice.chaos.cli;

import io.sluice.chaos.inject.ActionLog;
import io.sluice.chaos.inject.ClientLinkDelay;
import io.sluice.chaos.inject.Durations;
import io.sluice.chaos.inject.Fault;
import io.sluice.chaos.inject.InjectSession;
import io.sluice.chaos.inject.LeaderKill;
import io.sluice.chaos.inject.LocalCluster;
import io.sluice.chaos.inject.LoopbackPartition;
import io.sluice.chaos.inject.NodeCgroups;
import io.sluice.chaos.inject.NodePause;
import io.sluice.chaos.inject.PartitionSides;
import io.sluice.chaos.inject.TopicPartitions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/sluice chaos inject}: one fault, on demand, against the running local cluster
 * ({@code bin/sluice cluster start}) while the user's own application runs. Prints each action with
 * the time, heals at the end of {@code --for} or on Ctrl-C. Exit code 0 once healed, 1 if the fault
 * could not be injected (saying why), 2 on bad usage.
 */
@Command(name = "inject", mixinStandardHelpOptions = true,
        description = {"Injects one fault into the running local cluster (bin/sluice cluster start) and heals it "
                + "after --for, or on Ctrl-C. Each action is printed with the wall-clock time and the ms since the "
                + "first.",
                "Examples:",
                "  bin/sluice chaos inject --kill-leader orders-0",
                "  bin/sluice chaos inject --pause-node 2 --for 10s",
                "  bin/sluice chaos inject --partition '1|2,3' --for 30s",
                "  bin/sluice chaos inject --slow-client-link 200ms --for 1m"})
public final class InjectCommand implements Callable<Integer> {

    /** Exactly one fault per run. */
    static final class Action {
        @Option(names = "--kill-leader", paramLabel = "TOPIC-P", description = "SIGKILL the node leading this "
                + "partition, print when leadership moved, then restart the node (bin/sluice cluster start) at once "
                + "or after --for, and print when it is back in the ISR")
        String killLeader;

        @Option(names = "--pause-node", paramLabel = "N", description = "SIGSTOP node N (its whole process tree); "
                + "SIGCONT after --for or on Ctrl-C")
        Integer pauseNode;

        @Option(names = "--partition", paramLabel = "A|B", description = "cut the nodes of side A (e.g. 1) from those "
                + "of side B (e.g. 2,3), both ways; clients still reach every node. Needs root and a cluster started "
                + "as root (each node in its own cgroup)")
        String partition;

        @Option(names = "--slow-client-link", paramLabel = "DELAY", description = "delay client traffic to every node "
                + "by DELAY each way (e.g. 200ms); links between nodes keep their speed. Open client connections are "
                + "reset once so they reconnect through the delay. Needs root and a cluster started in cgroups")
        String slowClientLink;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    @Option(names = "--for", paramLabel = "DURATION", description = "how long the fault holds, e.g. 10s, 200ms, 2m "
            + "(default: until Ctrl-C; for --kill-leader: restart as soon as leadership moved)")
    String forDuration;

    @Option(names = "--no-restart", description = "--kill-leader leaves the node down and prints how to start it")
    boolean noRestart;

    @Option(names = "--bootstrap", description = "the cluster's clients' bootstrap servers (default: the first "
            + "listener of each config/cluster/node-N.properties, localhost:9092,localhost:9192,localhost:9292)")
    String bootstrap;

    @Option(names = "--home", description = "the checkout the cluster runs from: its config/cluster and data/node-N "
            + "(default: this repo)")
    Path home;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Healing may open an Admin client from the shutdown hook; log4j's own hook would have shut
        // logging down by then and it would complain. Set before anything logs.
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        Path root = home != null ? home : Path.of(System.getProperty("chaos.repoRoot", "."));
        LocalCluster cluster;
        Fault fault;
        Optional<Duration> hold;
        try {
            cluster = LocalCluster.at(root.toAbsolutePath().normalize());
            hold = Optional.ofNullable(forDuration).map(Durations::parse);
            fault = fault(cluster, bootstrap != null ? bootstrap : cluster.bootstrap());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException | IllegalStateException e) {
            return refuse(e.getMessage());
        }
        if (action.killLeader != null && hold.isEmpty()) {
            hold = Optional.of(Duration.ZERO);
        }
        try {
            new InjectSession(cluster, new ActionLog(System.out)).run(fault, hold);
            return 0;
        } catch (IllegalStateException | IOException | TimeoutException e) {
            return refuse(e.getMessage());
        } catch (ExecutionException e) {
            // The cluster's answer (e.g. an unknown topic), as Kafka's error names it.
            return refuse("the cluster answered: " + e.getCause().getMessage());
        }
    }

    private int refuse(String why) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("sluice chaos inject: " + why);
        err.flush();
        return 1;
    }

    /**
     * The fault the options name.
     *
     * @throws IllegalArgumentException on a malformed value
     * @throws IllegalStateException    if this machine cannot inject it, saying why
     */
    Fault fault(LocalCluster cluster, String clientBootstrap) {
        if (action.killLeader != null) {
            return new LeaderKill(cluster, clientBootstrap, TopicPartitions.parse(action.killLeader), !noRestart);
        }
        if (noRestart) {
            throw new IllegalArgumentException("--no-restart goes with --kill-leader");
        }
        if (action.pauseNode != null) {
            cluster.node(action.pauseNode);
            return new NodePause(cluster, action.pauseNode);
        }
        if (action.partition != null) {
            PartitionSides sides = PartitionSides.parse(action.partition);
            sides.nodes().forEach(cluster::node);
            return new LoopbackPartition(cluster, cgroups(), sides);
        }
        return new ClientLinkDelay(cluster, cgroups(), Durations.parse(action.slowClientLink));
    }

    private static NodeCgroups cgroups() {
        return NodeCgroups.find().orElseThrow(() -> new IllegalStateException("cannot tell the nodes' connections "
                + "apart: no cgroup v2 hierarchy is mounted (no cgroup2 line in /proc/mounts)"));
    }
}
