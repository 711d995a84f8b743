package io.sluice.chaos.target;

import io.sluice.chaos.net.ClusterNetwork;
import io.sluice.chaos.net.Firewall;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The brokers of one schedule: one node (the single-node suite), or N nodes forming one KRaft
 * quorum (every node a voter, combined mode). A cluster of more than one node lives in the
 * harness's own {@link ClusterNetwork} (one namespace per node), so the nemesis can cut links
 * between nodes with the {@link #firewall()}; where namespaces cannot be made it runs on the
 * loopback, says why ({@link #networkUnavailableReason()}), and only process and proxy faults apply.
 *
 * <p>Owned by the schedule runner's thread; not thread-safe (each {@link BrokerNode} says what of
 * it may be read from other threads).
 */
public final class Cluster implements AutoCloseable {
    private final List<BrokerNode> nodes;
    private final Optional<ClusterNetwork> network;
    private final Optional<Firewall> firewall;
    private final String networkUnavailableReason;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * Ctrl-C or SIGTERM of the harness must not leave broker JVMs running in namespaces nobody
     * will delete: the hook does what {@link #close} does, if it has not run yet.
     */
    private final Thread shutdownHook = new Thread(this::release, "chaos-cluster-cleanup");

    private Cluster(List<BrokerNode> nodes, Optional<ClusterNetwork> network, String networkUnavailableReason) {
        this.nodes = List.copyOf(nodes);
        this.network = network;
        this.firewall = network.map(Firewall::new);
        this.networkUnavailableReason = networkUnavailableReason;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Lays out {@code size} nodes under {@code dir} (not started). Clusters of more than one node
     * get namespaces where the machine allows them.
     *
     * @param dataVolumeBytes tmpfs size per node for disk-full schedules (0: none)
     */
    public static Cluster create(TargetSpec spec, int size, Path dir, String clusterId, long dataVolumeBytes)
            throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster has at least one node, not " + size);
        }
        Optional<ClusterNetwork> network = Optional.empty();
        String why = size == 1 ? "a single node has no links to cut" : null;
        if (size > 1) {
            why = ClusterNetwork.unavailableReason().orElse(null);
            if (why == null) {
                try {
                    network = Optional.of(ClusterNetwork.create(size));
                } catch (RuntimeException e) {
                    why = "could not build the cluster network: " + e.getMessage();
                }
            }
        }
        List<NodePlacement> placements = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            placements.add(network.isPresent()
                    ? NodePlacement.namespaced(i + 1, ClusterNetwork.address(i), network.get().execPrefix(i))
                    : NodePlacement.loopback(i + 1));
        }
        String voters = placements.stream().map(NodePlacement::voter).collect(Collectors.joining(","));
        List<BrokerNode> nodes = new ArrayList<>();
        try {
            for (NodePlacement p : placements) {
                nodes.add(new BrokerNode(spec, p, voters, dir.resolve("n" + p.nodeId()), clusterId, dataVolumeBytes));
            }
            return new Cluster(nodes, network, why); // its firewall runs iptables in every namespace: may fail
        } catch (IOException | RuntimeException e) {
            nodes.forEach(BrokerNode::close);
            network.ifPresent(ClusterNetwork::close);
            throw e;
        }
    }

    /** Formats every node's storage, then starts every node; returns at once. */
    public void formatAndStart() throws IOException, InterruptedException {
        for (BrokerNode n : nodes) {
            n.format();
        }
        for (BrokerNode n : nodes) {
            n.start();
        }
    }

    public List<BrokerNode> nodes() {
        return nodes;
    }

    /** Node by index (0-based), as schedules name them. */
    public BrokerNode node(int index) {
        return nodes.get(index);
    }

    /** Node by its node.id, as the cluster's metadata names it. */
    public Optional<BrokerNode> byNodeId(int nodeId) {
        return nodes.stream().filter(n -> n.nodeId() == nodeId).findFirst();
    }

    public int size() {
        return nodes.size();
    }

    /** Every node's proxy: clients bootstrap from all of them, as a user would. */
    public String bootstrap() {
        return nodes.stream().map(BrokerNode::bootstrap).collect(Collectors.joining(","));
    }

    /** The name clients record as the node they talk to. */
    public String name() {
        return nodes.size() == 1 ? nodes.get(0).name() : "cluster";
    }

    /** Cuts links between nodes; empty where the nodes have no namespaces. */
    public Optional<Firewall> firewall() {
        return firewall;
    }

    /** Why node-to-node faults cannot be injected here, or null if they can. */
    public String networkUnavailableReason() {
        return networkUnavailableReason;
    }

    /** The replication factor workload topics get: 3 where there are 3 nodes, else all of them. */
    public short replicationFactor() {
        return (short) Math.min(3, nodes.size());
    }

    /** Heals every proxy and every link, and resumes every paused node. */
    public void healAll() {
        firewall.ifPresent(Firewall::heal);
        for (BrokerNode n : nodes) {
            n.proxy().heal();
            n.resume();
        }
    }

    /** Stops every node, then removes the network (namespaces, veths, bridge, rules). Idempotent. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and the hook runs (or ran) release() itself
        }
        release();
    }

    private void release() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            for (BrokerNode n : nodes) {
                n.close();
            }
        } finally {
            network.ifPresent(ClusterNetwork::close);
        }
    }
}
