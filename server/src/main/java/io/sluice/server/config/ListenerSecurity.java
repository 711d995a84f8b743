package io.sluice.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Security protocols of the configured listeners, by Kafka's rules: {@code listener.security.protocol.map}
 * names each listener's protocol; a listener missing from an explicitly set map has none (Kafka
 * refuses the start); with the default map, a controller listener is PLAINTEXT (KRaft's rule).
 * Until TLS and SASL exist every listener must be PLAINTEXT: serving an SSL or SASL listener as
 * plaintext would hand out a weaker guarantee than configured. Stateless, thread-safe.
 */
final class ListenerSecurity {

    static final String PLAINTEXT = "PLAINTEXT";
    /** Kafka's SecurityProtocol names. */
    private static final Set<String> PROTOCOLS = Set.of(PLAINTEXT, "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final String SECURITY_INTER_BROKER_PROTOCOL = "security.inter.broker.protocol";

    private ListenerSecurity() { }

    /** Throws {@link ConfigException} naming the first listener whose protocol is not PLAINTEXT. */
    static void requirePlaintext(ServerConfig config) {
        Map<String, String> map = protocolMap(config.getString(ServerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP));
        boolean mapSet = config.isSet(ServerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP);
        List<String> controllerNames = config.list(ServerConfigDef.CONTROLLER_LISTENER_NAMES);
        for (List<ServerConfig.Listener> listeners : List.of(config.listeners(), config.advertisedListeners())) {
            for (ServerConfig.Listener l : listeners) {
                String protocol = map.get(l.name());
                if (protocol == null && !mapSet && controllerNames.contains(l.name())) {
                    protocol = PLAINTEXT;
                }
                if (protocol == null) {
                    throw new ConfigException("Invalid value for configuration " + ServerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP
                            + ": no security protocol defined for listener " + l.name() + " (" + l + ")");
                }
                if (!protocol.equals(PLAINTEXT)) {
                    throw new ConfigException("Listener " + l.name() + " (" + l + ") uses security protocol " + protocol
                            + " (" + ServerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP + "), which Sluice does not support yet: "
                            + "only PLAINTEXT listeners are served, and serving " + protocol + " as plaintext would be a "
                            + "weaker guarantee than configured");
                }
            }
        }
        // A broker-only node reaches the voters on a controller listener it does not open itself.
        for (String name : controllerNames) {
            String protocol = map.get(name);
            if (protocol != null && !protocol.equals(PLAINTEXT)) {
                throw new ConfigException("Controller listener " + name + " uses security protocol " + protocol + " ("
                        + ServerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP + "), which Sluice does not support yet: "
                        + "only PLAINTEXT is spoken to the metadata quorum");
            }
        }
        String interBroker = config.originals().get(SECURITY_INTER_BROKER_PROTOCOL);
        if (interBroker != null && !interBroker.trim().equalsIgnoreCase(PLAINTEXT)) {
            throw new ConfigException("Setting " + SECURITY_INTER_BROKER_PROTOCOL + "=" + interBroker.trim()
                    + " names a security protocol Sluice does not support yet (only PLAINTEXT)");
        }
    }

    /** Parses {@code NAME:PROTOCOL,...}; throws naming the bad entry. */
    static Map<String, String> protocolMap(String value) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : value.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.indexOf(':');
            String protocol = colon < 0 ? "" : e.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            if (colon <= 0 || !PROTOCOLS.contains(protocol)) {
                throw new ConfigException("Invalid value " + value + " for configuration "
                        + ServerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP + ": '" + e + "' is not LISTENER:PROTOCOL with a protocol of "
                        + PROTOCOLS);
            }
            map.put(e.substring(0, colon).trim().toUpperCase(Locale.ROOT), protocol);
        }
        return map;
    }
}
