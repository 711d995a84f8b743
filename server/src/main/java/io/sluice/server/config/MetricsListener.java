package io.sluice.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where the metrics endpoint listens, from {@code sluice.metrics.listener}: {@code http://host:port},
 * or empty for no endpoint. Only plain HTTP is served, so any other scheme is refused at start rather
 * than served as plain HTTP. Port 0 picks a free port (tests). Immutable.
 */
public record MetricsListener(String host, int port) {

    public static final String SETTING = "sluice.metrics.listener";

    /** The listener named by the setting's value, or empty when the value is empty (no endpoint). */
    public static Optional<MetricsListener> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(SETTING + "=" + value + " is not a URL: " + e.getMessage());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new ConfigException(SETTING + "=" + value + ": only http:// is served (no TLS for metrics yet); "
                    + "leave it empty to turn the endpoint off");
        }
        if (uri.getHost() == null || uri.getPort() < 0 || !(uri.getPath() == null || uri.getPath().isEmpty()
                || uri.getPath().equals("/"))) {
            throw new ConfigException(SETTING + "=" + value + ": expected http://host:port");
        }
        return Optional.of(new MetricsListener(uri.getHost(), uri.getPort()));
    }
}
