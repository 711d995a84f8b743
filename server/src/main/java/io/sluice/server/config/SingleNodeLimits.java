package io.sluice.server.config;

import java.util.List;

/**
 * The start-up refusals of a broker that cannot replicate yet (the {@code replication} module is
 * empty): it must not join or form a multi-node cluster, where it would claim replicas that hold no
 * data and acknowledge {@code acks=all} with one copy (issue 11, item 2), and it must not be told
 * to create topics with more replicas than it has. The quorum library itself supports many
 * voters; this limit is the broker's. Stateless, thread-safe.
 */
final class SingleNodeLimits {

    private static final String WHY = "partition replication is not implemented yet, so Sluice runs as a single node "
            + "(process.roles=broker,controller, this node the only voter)";

    private SingleNodeLimits() { }

    static void check(ServerConfig config) {
        List<String> roles = config.list(ServerConfigDef.PROCESS_ROLES);
        if (!(roles.contains("broker") && roles.contains("controller"))) {
            throw new ConfigException("Invalid value " + String.join(",", roles) + " for configuration "
                    + ServerConfigDef.PROCESS_ROLES + ": a broker-only or controller-only node is part of a multi-node "
                    + "cluster, and " + WHY);
        }
        List<String> voters = config.list(ServerConfigDef.CONTROLLER_QUORUM_VOTERS);
        if (voters.size() > 1) {
            throw new ConfigException("Invalid value " + String.join(",", voters) + " for configuration "
                    + ServerConfigDef.CONTROLLER_QUORUM_VOTERS + ": " + voters.size() + " voters form a multi-node cluster, and "
                    + WHY);
        }
        if (voters.size() == 1 && !voters.get(0).trim().startsWith(config.nodeId() + "@")) {
            throw new ConfigException("Invalid value " + voters.get(0) + " for configuration "
                    + ServerConfigDef.CONTROLLER_QUORUM_VOTERS + ": the only voter must be this node (node.id="
                    + config.nodeId() + "): joining another node's quorum makes a multi-node cluster, and " + WHY);
        }
        List<String> bootstrap = config.list(ServerConfigDef.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS);
        if (bootstrap.size() > 1) {
            throw new ConfigException("Invalid value " + String.join(",", bootstrap) + " for configuration "
                    + ServerConfigDef.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS + ": more than one controller is a multi-node "
                    + "cluster, and " + WHY);
        }
        for (String setting : List.of(ServerConfigDef.DEFAULT_REPLICATION_FACTOR, ServerConfigDef.OFFSETS_TOPIC_REPLICATION_FACTOR)) {
            // offsets.topic.replication.factor defaults to 3 in Kafka too; left unset it is capped at
            // the live brokers when the topic is created (docs/groups.md). Set explicitly, it is a demand.
            if (config.isSet(setting) && config.getInt(setting) > 1) {
                throw new ConfigException("Invalid value " + config.getInt(setting) + " for configuration " + setting
                        + ": " + WHY + ", which holds one replica of each partition; set it to 1");
            }
        }
    }
}
