package io.sluice.metadata.image;

import java.util.Objects;

/**
 * One listener a broker advertises (Kafka's {@code BrokerRegistrationRequest.Listener}).
 * Immutable, thread-safe.
 *
 * @param listenerName     the listener name, e.g. {@code PLAINTEXT}
 * @param host             advertised host
 * @param port             advertised port, 0..65535
 * @param securityProtocol Kafka's security protocol id (0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL)
 */
public record Endpoint(String listenerName, String host, int port, short securityProtocol) {
    public Endpoint {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
