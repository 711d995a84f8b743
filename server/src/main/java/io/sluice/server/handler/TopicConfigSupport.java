package io.sluice.server.handler;

/**
 * Topic configs Kafka has but Sluice cannot honour yet, refused with INVALID_CONFIG instead of
 * accepted and silently not acted on: {@code compression.type} other than {@code producer} asks the
 * broker to recompress every batch, and Sluice stores batches as produced (it never re-encodes
 * records). Stateless.
 */
final class TopicConfigSupport {

    private TopicConfigSupport() { }

    /** Null when Sluice honours {@code name = value} as a topic config, else why not (naming it). */
    static String refusal(String name, String value) {
        if (name.equals("compression.type") && value != null && !value.equals("producer")) {
            return "Invalid value " + value + " for configuration compression.type: Sluice stores batches as the "
                    + "producer compressed them and does not recompress yet; only 'producer' is supported";
        }
        return null;
    }
}
