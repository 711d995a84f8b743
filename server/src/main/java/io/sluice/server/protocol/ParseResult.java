package io.sluice.server.protocol;

/**
 * Outcome of parsing one request frame. Expected bad input is a value, not an exception:
 * {@link Parsed} to handle, {@link UnsupportedApiVersions} to answer with UNSUPPORTED_VERSION
 * (Kafka answers only ApiVersions this way), {@link Invalid} to log and close the connection as
 * Kafka does for an unknown api key, an unsupported version or a body that does not parse.
 */
public sealed interface ParseResult {

    record Parsed(KafkaRequest request) implements ParseResult { }

    /** An ApiVersions request of a version we do not serve; answer v0 with our table. */
    record UnsupportedApiVersions(int correlationId, short requestedVersion) implements ParseResult { }

    /** The frame cannot be served; {@code reason} is a one-line description for the log. */
    record Invalid(String reason) implements ParseResult { }
}
