package io.sluice.server;

import io.sluice.metadata.node.MetadataNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.metrics.MetricsServer;
import io.sluice.server.metrics.QuorumGauges;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller-only process ({@code process.roles=controller}, Kafka's isolated mode): a voter of
 * the metadata quorum and nothing else, so no partition logs and no client listener. While it leads
 * the quorum it fences brokers that miss their session or whose process died, and moves their
 * leaderships. Owned by {@link Main}; start once, close once. Thread-safe.
 */
public final class Controller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final int nodeId;
    private final MetadataNode metadata;
    private final MetricsServer metricsServer;

    private Controller(int nodeId, MetadataNode metadata, MetricsServer metricsServer) {
        this.nodeId = nodeId;
        this.metadata = metadata;
        this.metricsServer = metricsServer;
    }

    /** Starts the voter and returns once the quorum has a leader and this node caught up with it. */
    public static Controller start(ServerConfig config) throws IOException, InterruptedException {
        PrometheusRegistry registry = new PrometheusRegistry();
        MetricsServer metricsServer = config.metricsListener()
                .map(listener -> MetricsServer.start(listener, registry)).orElse(null);
        Controller c;
        try {
            c = new Controller(config.nodeId(), QuorumMember.join(config), metricsServer);
            QuorumGauges.register(registry, c.metadata, config.nodeId());
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (metricsServer != null) {
                metricsServer.close();
            }
            throw e;
        }
        LOG.info("Sluice controller {} started: metadata quorum {} in {}; no client listener (process.roles=controller)",
                config.nodeId(), QuorumMember.voters(config), config.metadataDir().toAbsolutePath().normalize());
        return c;
    }

    /** Stops the voter. Idempotent. */
    @Override
    public void close() {
        metadata.close();
        if (metricsServer != null) {
            metricsServer.close();
        }
        LOG.info("Sluice controller {} stopped", nodeId);
    }
}
