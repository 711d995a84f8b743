package io.sluice.server;

import io.sluice.metadata.node.MetadataNode;
import io.sluice.metadata.node.MetadataNodeConfig;
import io.sluice.server.config.ConfigException;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * This process's place in the metadata quorum, as its {@code process.roles} say: a voter (controller
 * role) or a follower of the voters' log (broker only). Shared by {@link Broker} and
 * {@link Controller}. Stateless.
 */
final class QuorumMember {

    static final long READY_TIMEOUT_MS = 60_000;

    private QuorumMember() { }

    /** Starts the metadata node and returns once a quorum leader exists and this node's image caught up. */
    static MetadataNode join(ServerConfig config) throws IOException, InterruptedException {
        Path metadataDir = config.metadataDir();
        Files.createDirectories(metadataDir);
        Properties mp = new Properties();
        mp.putAll(config.originals());
        mp.setProperty(MetadataNodeConfig.METADATA_LOG_DIR, metadataDir.toString());
        mp.setProperty(MetadataNodeConfig.PROCESS_ROLES, String.join(",", config.list(ServerConfigDef.PROCESS_ROLES)));
        mp.setProperty(MetadataNodeConfig.QUORUM_VOTERS, voters(config));
        // A voter binds its controller listener's host, defaults included (as the client listener does).
        mp.setProperty(MetadataNodeConfig.LISTENERS, String.join(",", config.list(ServerConfigDef.LISTENERS)));
        mp.setProperty(MetadataNodeConfig.INTER_BROKER_LISTENER_NAME, config.interBrokerListenerName());
        mp.setProperty(MetadataNodeConfig.CONTROLLER_LISTENER_NAMES,
                String.join(",", config.list(ServerConfigDef.CONTROLLER_LISTENER_NAMES)));
        MetadataNode metadata = MetadataNode.start(MetadataNodeConfig.fromProperties(mp));
        try {
            if (!metadata.awaitReady(READY_TIMEOUT_MS)) {
                throw new IllegalStateException("metadata quorum (" + voters(config) + ") has no leader reachable after "
                        + READY_TIMEOUT_MS + " ms");
            }
        } catch (InterruptedException | RuntimeException e) {
            metadata.close();
            throw e;
        }
        return metadata;
    }

    /** controller.quorum.voters, or this node alone on its controller listener. */
    static String voters(ServerConfig config) {
        List<String> voters = config.list(ServerConfigDef.CONTROLLER_QUORUM_VOTERS);
        if (!voters.isEmpty()) {
            return String.join(",", voters);
        }
        ServerConfig.Listener controller = config.controllerListener();
        if (controller == null) {
            throw new ConfigException("Missing configuration " + ServerConfigDef.CONTROLLER_QUORUM_VOTERS
                    + " (and no CONTROLLER listener to default to)");
        }
        String host = controller.host().isEmpty() ? "localhost" : controller.host();
        return config.nodeId() + "@" + host + ":" + controller.port();
    }
}
