package io.sluice.server.config;

import java.util.Set;

/**
 * What Sluice does with a setting name it was given (server.properties or a dynamic broker config):
 * serve it, accept it without effect, or refuse it. The rule (issue 11, item 8): a Kafka 4.4 setting
 * Sluice does not implement yet has no effect and is accepted with a warning, unless its silent
 * absence would weaken safety (TLS, SASL, authorization), which refuses; a name nobody knows (a
 * typo) refuses too. Used by {@link ServerConfig} at start and by {@link DynamicBrokerConfigs} for
 * alters. Stateless, thread-safe.
 */
public final class SettingSupport {

    /** How a name is treated. */
    public enum Kind {
        /** In {@link ServerConfigDef}: Sluice reads and validates it. */
        KNOWN,
        /** A Kafka 4.4 broker setting Sluice does not implement: it has no effect. */
        NO_EFFECT,
        /** Security (TLS, SASL, authorization): ignoring it would serve a weaker guarantee. */
        SECURITY,
        /** Neither Sluice nor Kafka 4.4 knows it. */
        UNKNOWN
    }

    /**
     * Settings that only make sense with authentication or authorization, which Sluice lacks: the
     * StandardAuthorizer's (outside Kafka's broker ConfigDef) and the principal builder.
     */
    private static final Set<String> AUTHORIZATION_SETTINGS = Set.of(
            "authorizer.class.name", "super.users", "allow.everyone.if.no.acl.found", "principal.builder.class");

    /** Kafka's prefix for per-listener overrides: {@code listener.name.<listener>.<setting>}. */
    private static final String LISTENER_PREFIX = "listener.name.";

    private SettingSupport() { }

    public static Kind classify(String name) {
        if (isSecurity(name)) {
            return Kind.SECURITY;
        }
        if (ServerConfigDef.keys().containsKey(name)) {
            return Kind.KNOWN;
        }
        if (KafkaBrokerConfigNames.contains(name) || isKnownListenerOverride(name)) {
            return Kind.NO_EFFECT;
        }
        return Kind.UNKNOWN;
    }

    /**
     * Every {@code ssl.*} and {@code sasl.*} setting (also per listener, and per SASL mechanism as in
     * {@code listener.name.x.plain.sasl.jaas.config}), and the authorization settings.
     */
    public static boolean isSecurity(String name) {
        if (AUTHORIZATION_SETTINGS.contains(name) || name.startsWith("ssl.") || name.startsWith("sasl.")) {
            return true;
        }
        return name.startsWith(LISTENER_PREFIX) && (name.contains(".ssl.") || name.contains(".sasl."));
    }

    /** Why a security setting is refused, naming it. */
    public static String securityRefusal(String name) {
        String what = name.contains("ssl.") ? "TLS (SSL)" : name.contains("sasl.") ? "SASL authentication" : "authorization";
        return "Setting " + name + " configures " + what + ", which Sluice does not support yet: the broker would "
                + "serve without it, a weaker guarantee than configured. Remove it (Sluice serves PLAINTEXT listeners only)";
    }

    /** {@code listener.name.<listener>.<kafka setting>}, e.g. {@code listener.name.plaintext.max.connections}. */
    private static boolean isKnownListenerOverride(String name) {
        if (!name.startsWith(LISTENER_PREFIX)) {
            return false;
        }
        int dot = name.indexOf('.', LISTENER_PREFIX.length());
        return dot > 0 && KafkaBrokerConfigNames.contains(name.substring(dot + 1));
    }
}
