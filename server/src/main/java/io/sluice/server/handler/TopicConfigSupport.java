package io.sluice.server.handler;

/**
 * Topic configs Kafka has but Sluice cannot honour yet, refused with INVALID_CONFIG instead of
 * accepted and silently not acted on: {@code cleanup.policy} with {@code compact} (no log compaction
 * yet: the log would be deleted by retention, losing what a compacted topic keeps). Sluice's own
 * __consumer_offsets is compacted by its coordinator and created without this check. Stateless.
 */
final class TopicConfigSupport {

    private TopicConfigSupport() { }

    /** Null when Sluice honours {@code name = value} as a topic config, else why not (naming it). */
    static String refusal(String name, String value) {
        if (name.equals("cleanup.policy") && value != null && value.contains("compact")) {
            return "Invalid value " + value + " for configuration cleanup.policy: log compaction is not implemented "
                    + "in Sluice yet (a compacted topic would be deleted by retention instead)";
        }
        return null;
    }
}
