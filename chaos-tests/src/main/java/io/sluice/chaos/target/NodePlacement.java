package io.sluice.chaos.target;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;

/**
 * Where one broker of a cluster lives: the address it binds, its ports, and the argv prefix that
 * runs its process there ({@code ip netns exec <ns>} inside the harness's network, nothing on the
 * loopback). Immutable, thread-safe.
 *
 * @param nodeId         the broker's node.id (1-based)
 * @param host           the address its listeners bind (its veth address, or 127.0.0.1)
 * @param clientPort     the client listener (behind the node's fault proxy)
 * @param internalPort   the inter-broker listener (replication), reached by the other nodes directly
 * @param controllerPort the KRaft controller listener
 * @param execPrefix     argv prepended to the start command
 */
public record NodePlacement(int nodeId, String host, int clientPort, int internalPort, int controllerPort,
                            List<String> execPrefix) {
    /** Inside a namespace each node has the whole port space to itself, so the ports are fixed. */
    static final int NAMESPACE_CLIENT_PORT = 9092;
    static final int NAMESPACE_INTERNAL_PORT = 9093;
    static final int NAMESPACE_CONTROLLER_PORT = 9094;

    public NodePlacement {
        execPrefix = List.copyOf(execPrefix);
    }

    /** A node on 127.0.0.1 with ports of its own: the single-node suite, and clusters without namespaces. */
    public static NodePlacement loopback(int nodeId) throws IOException {
        return new NodePlacement(nodeId, "127.0.0.1", freePort(), freePort(), freePort(), List.of());
    }

    /** A node at {@code host} inside the namespace {@code execPrefix} enters. */
    public static NodePlacement namespaced(int nodeId, String host, List<String> execPrefix) {
        return new NodePlacement(nodeId, host, NAMESPACE_CLIENT_PORT, NAMESPACE_INTERNAL_PORT,
                NAMESPACE_CONTROLLER_PORT, execPrefix);
    }

    /** The KRaft voter entry of this node: {@code id@host:controllerPort}. */
    public String voter() {
        return nodeId + "@" + host + ":" + controllerPort;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
