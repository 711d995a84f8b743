package io.sluice.server.group.share;

import org.apache.kafka.common.Uuid;

/**
 * What the share group coordinator needs to know of topics: id and partition count by name, and
 * name by id. Implemented over the broker's metadata image; thread-safe implementations.
 */
public interface ShareTopics {

    /** No topics (coordinators of tests that have no share groups). */
    ShareTopics NONE = new ShareTopics() {
        @Override
        public Topic byName(String name) {
            return null;
        }

        @Override
        public Topic byId(Uuid id) {
            return null;
        }
    };

    /** A topic as the metadata image holds it. */
    record Topic(String name, Uuid id, int partitions) { }

    /** @return the topic named {@code name}, or null when it does not exist */
    Topic byName(String name);

    /** @return the topic with id {@code id}, or null when it does not exist */
    Topic byId(Uuid id);
}
