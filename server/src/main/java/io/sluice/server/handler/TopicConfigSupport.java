package io.sluice.server.handler;

import java.util.Map;

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

    /**
     * Kafka's LogConfig.validate across settings: {@code min.compaction.lag.ms} above
     * {@code max.compaction.lag.ms} is refused (INVALID_CONFIG, Kafka's message); null when fine or when
     * a value does not parse (the per-setting validation answers that).
     */
    static String conflict(Map<String, String> configs) {
        String min = configs.get("min.compaction.lag.ms");
        String max = configs.get("max.compaction.lag.ms");
        if (min == null || max == null) {
            return null;
        }
        try {
            long minMs = Long.parseLong(min.trim());
            long maxMs = Long.parseLong(max.trim());
            return minMs > maxMs ? "conflict topic config setting min.compaction.lag.ms (" + minMs
                    + ") > max.compaction.lag.ms (" + maxMs + ")" : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
