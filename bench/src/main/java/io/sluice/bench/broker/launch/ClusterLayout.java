package io.sluice.bench.broker.launch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Where the nodes of one N-node cluster listen on the loopback: node ids 1..N, a client port and a
 * controller (quorum) port per node. Both systems get a layout of the same shape, so their configs
 * differ only in their own defaults. Immutable.
 *
 * @param clientPorts     PLAINTEXT listener of node i+1 (clients and replication)
 * @param controllerPorts CONTROLLER listener of node i+1 (the metadata quorum)
 */
public record ClusterLayout(List<Integer> clientPorts, List<Integer> controllerPorts) {
    public static final String HOST = "127.0.0.1";

    public ClusterLayout {
        clientPorts = List.copyOf(clientPorts);
        controllerPorts = List.copyOf(controllerPorts);
        if (clientPorts.isEmpty() || clientPorts.size() != controllerPorts.size()) {
            throw new IllegalArgumentException("one client and one controller port per node: " + clientPorts
                    + " / " + controllerPorts);
        }
        Set<Integer> all = new HashSet<>(clientPorts);
        all.addAll(controllerPorts);
        if (all.size() != 2 * clientPorts.size()) {
            throw new IllegalArgumentException("ports must all differ: " + clientPorts + " / " + controllerPorts);
        }
    }

    /** {@code nodes} nodes on ports nobody listens on right now. */
    public static ClusterLayout onFreePorts(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a cluster has at least one node, not " + nodes);
        }
        // Ask for all ports before releasing none twice: freePort() may hand out a port just released.
        Set<Integer> taken = new HashSet<>();
        List<Integer> client = new ArrayList<>();
        List<Integer> controller = new ArrayList<>();
        while (client.size() < nodes) {
            int port = RunningBroker.freePort();
            if (taken.add(port)) {
                client.add(port);
            }
        }
        while (controller.size() < nodes) {
            int port = RunningBroker.freePort();
            if (taken.add(port)) {
                controller.add(port);
            }
        }
        return new ClusterLayout(client, controller);
    }

    public int nodes() {
        return clientPorts.size();
    }

    /** Node ids, 1..N. */
    public List<Integer> nodeIds() {
        return IntStream.rangeClosed(1, nodes()).boxed().toList();
    }

    public int clientPort(int nodeId) {
        return clientPorts.get(nodeId - 1);
    }

    public int controllerPort(int nodeId) {
        return controllerPorts.get(nodeId - 1);
    }

    /** {@code controller.quorum.voters}: every node a voter, {@code id@host:port,...}. */
    public String voters() {
        return nodeIds().stream().map(id -> id + "@" + HOST + ":" + controllerPort(id)).collect(Collectors.joining(","));
    }

    /** {@code bootstrap.servers} naming every node, so a client starts even when one node is down. */
    public String bootstrap() {
        return nodeIds().stream().map(id -> HOST + ":" + clientPort(id)).collect(Collectors.joining(","));
    }

    public String listeners(int nodeId) {
        return "PLAINTEXT://" + HOST + ":" + clientPort(nodeId) + ",CONTROLLER://" + HOST + ":" + controllerPort(nodeId);
    }

    public String advertisedListeners(int nodeId) {
        return "PLAINTEXT://" + HOST + ":" + clientPort(nodeId);
    }
}
