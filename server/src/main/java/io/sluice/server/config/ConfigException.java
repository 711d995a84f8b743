package io.sluice.server.config;

/** A server.properties setting that is unknown or invalid; the message names the setting. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
