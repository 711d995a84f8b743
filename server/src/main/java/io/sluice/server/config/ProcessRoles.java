package io.sluice.server.config;

import java.util.List;

/**
 * The node shapes of KRaft, checked as Kafka checks them:
 *
 * <ul>
 *   <li>combined ({@code process.roles=broker,controller}): a broker and a quorum voter, listed in
 *       {@code controller.quorum.voters} (or voting alone when that is empty);</li>
 *   <li>controller-only: a voter that serves no clients, so its {@code listeners} are controller
 *       listeners only;</li>
 *   <li>broker-only: follows the quorum without a vote, so it must not be a voter, must be told the
 *       voters, and must not listen on a controller listener.</li>
 * </ul>
 * Stateless, thread-safe.
 */
final class ProcessRoles {

    private ProcessRoles() { }

    static void check(ServerConfig config) {
        if (!config.isBroker() && !config.isController()) {
            throw invalid(ServerConfigDef.PROCESS_ROLES, List.of(), "a node needs the broker role, the controller role or both");
        }
        List<String> voters = config.list(ServerConfigDef.CONTROLLER_QUORUM_VOTERS);
        boolean listedAsVoter = voters.stream().anyMatch(v -> v.trim().startsWith(config.nodeId() + "@"));
        if (config.isController() && !voters.isEmpty() && !listedAsVoter) {
            throw invalid(ServerConfigDef.CONTROLLER_QUORUM_VOTERS, voters, "a node with the controller role must be "
                    + "one of the voters, and node.id=" + config.nodeId() + " is not");
        }
        if (!config.isBroker()) {
            if (voters.isEmpty()) {
                throw invalid(ServerConfigDef.CONTROLLER_QUORUM_VOTERS, voters,
                        "a controller-only node must list the voters, itself among them");
            }
            List<String> controllerNames = config.list(ServerConfigDef.CONTROLLER_LISTENER_NAMES);
            config.listeners().stream().filter(l -> !controllerNames.contains(l.name())).findFirst().ifPresent(l -> {
                throw invalid(ServerConfigDef.LISTENERS, config.list(ServerConfigDef.LISTENERS), "with "
                        + ServerConfigDef.PROCESS_ROLES + "=controller the listeners must all be controller listeners ("
                        + ServerConfigDef.CONTROLLER_LISTENER_NAMES + "=" + controllerNames + "), and " + l.name() + " is not");
            });
            if (config.controllerListener() == null) {
                throw invalid(ServerConfigDef.LISTENERS, config.list(ServerConfigDef.LISTENERS),
                        "a controller-only node needs a controller listener (" + controllerNames + ")");
            }
        }
        if (!config.isController()) {
            if (voters.isEmpty()) {
                throw invalid(ServerConfigDef.CONTROLLER_QUORUM_VOTERS, voters, "a broker-only node must be told the "
                        + "voters (" + ServerConfigDef.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS + " is not supported yet)");
            }
            if (listedAsVoter) {
                throw invalid(ServerConfigDef.CONTROLLER_QUORUM_VOTERS, voters, "if " + ServerConfigDef.PROCESS_ROLES
                        + " contains just the 'broker' role, the node id " + config.nodeId()
                        + " must not be included in the set of voters");
            }
            List<String> controllerNames = config.list(ServerConfigDef.CONTROLLER_LISTENER_NAMES);
            if (controllerNames.isEmpty()) {
                throw invalid(ServerConfigDef.CONTROLLER_LISTENER_NAMES, controllerNames,
                        "it must contain at least one value when running KRaft with just the broker role");
            }
            if (config.controllerListener() != null) {
                throw invalid(ServerConfigDef.LISTENERS, config.list(ServerConfigDef.LISTENERS), ServerConfigDef.CONTROLLER_LISTENER_NAMES
                        + " must not contain a value appearing in the 'listeners' configuration when running KRaft with "
                        + "just the broker role");
            }
        }
    }

    private static ConfigException invalid(String setting, List<String> value, String why) {
        return new ConfigException("Invalid value " + String.join(",", value) + " for configuration " + setting + ": " + why);
    }
}
