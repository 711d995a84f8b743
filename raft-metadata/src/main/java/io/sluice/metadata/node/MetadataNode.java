package io.sluice.metadata.node;

import io.sluice.metadata.client.BrokerLifecycle;
import io.sluice.metadata.client.MetadataClient;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataImage;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * One process's membership in the metadata quorum, the entry point for the server.
 *
 * <ul>
 *   <li>{@code process.roles} contains {@code controller}: starts a Ratis voter holding the
 *       metadata state machine; when leader, it also runs the liveness tick that fences brokers
 *       silent for {@code broker.session.timeout.ms}.</li>
 *   <li>broker only: follows the metadata from the quorum (long-poll fetch of applied entries,
 *       applied locally by the same deterministic code) without a vote.</li>
 * </ul>
 * A node refuses to start when the configured voters differ from the voters recorded in its
 * metadata dir at first start, naming both. Thread-safe. The creator owns it and must close it.
 */
public interface MetadataNode extends AutoCloseable {
    /** Starts a node; returns once its server (if a voter) listens. Use {@link #awaitReady} to wait for a leader. */
    static MetadataNode start(MetadataNodeConfig config) throws IOException {
        return QuorumNode.start(config);
    }

    MetadataNodeConfig config();

    /** The client for submitting commands and reading the image. */
    MetadataClient client();

    /** Shortcut for {@code client().image()}. */
    default MetadataImage image() {
        return client().image();
    }

    /**
     * Blocks until the quorum has a leader and this node's image has caught up with the leader's
     * commit at the time of the call, or the timeout passes.
     *
     * @return true when ready
     */
    boolean awaitReady(long timeoutMs) throws InterruptedException;

    /** True when this node is currently the Ratis leader (only voters can be). */
    boolean isQuorumLeader();

    /** The current quorum leader's id, if known. */
    Optional<Integer> quorumLeaderId();

    /** The quorum as this node sees it (DescribeQuorum): the leader's view of every voter when this node leads. */
    QuorumStatus quorumStatus();

    /**
     * Registers this node as a broker and starts its heartbeat loop
     * ({@code broker.heartbeat.interval.ms}). The node owns the returned lifecycle and stops it on
     * close; at most one per node.
     */
    BrokerLifecycle startBroker(List<Endpoint> endpoints, Optional<String> rack);

    /** Stops heartbeats, the Ratis server and clients. Idempotent. */
    @Override
    void close();
}
