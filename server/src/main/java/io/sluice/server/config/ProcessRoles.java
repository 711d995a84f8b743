package io.sluice.server.config;

import java.util.List;

/**
 * The node shapes Sluice runs: every node in combined mode ({@code process.roles=broker,controller}),
 * a voter of the metadata quorum and a broker at once. Broker-only and controller-only nodes (Kafka's
 * isolated mode) are not implemented, so they fail the start with a message naming the setting
 * rather than run without a part the user asked for; and a combined node must be one of the voters
 * it names, as Kafka requires. Stateless, thread-safe.
 */
final class ProcessRoles {

    private ProcessRoles() { }

    static void check(ServerConfig config) {
        List<String> roles = config.list(ServerConfigDef.PROCESS_ROLES);
        if (!(roles.contains("broker") && roles.contains("controller"))) {
            throw new ConfigException("Invalid value " + String.join(",", roles) + " for configuration "
                    + ServerConfigDef.PROCESS_ROLES + ": broker-only and controller-only nodes are not implemented yet; "
                    + "run every node in combined mode (process.roles=broker,controller) and list it in "
                    + ServerConfigDef.CONTROLLER_QUORUM_VOTERS);
        }
        List<String> voters = config.list(ServerConfigDef.CONTROLLER_QUORUM_VOTERS);
        if (!voters.isEmpty() && voters.stream().noneMatch(v -> v.trim().startsWith(config.nodeId() + "@"))) {
            throw new ConfigException("Invalid value " + String.join(",", voters) + " for configuration "
                    + ServerConfigDef.CONTROLLER_QUORUM_VOTERS + ": a node with the controller role must be one of the "
                    + "voters, and node.id=" + config.nodeId() + " is not");
        }
    }
}
