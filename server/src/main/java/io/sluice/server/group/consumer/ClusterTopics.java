package io.sluice.server.group.consumer;

import java.util.Collection;
import org.apache.kafka.common.Uuid;

/**
 * The topics of the cluster as the coordinator assigns them: the broker's current metadata
 * image. Implementations are thread-safe (each call reads the latest image).
 */
public interface ClusterTopics {

    /** One topic: its name, id and partition count. */
    record Topic(String name, Uuid id, int partitions) { }

    /** @return the topic, or null when it does not exist */
    Topic byName(String name);

    /** @return the topic, or null when it does not exist */
    Topic byId(Uuid id);

    /** Every topic (regex subscriptions are matched against them). */
    Collection<Topic> all();

    /**
     * A number that changes whenever the topics may have changed (so a group's resolved
     * subscription is recomputed only then, not on every heartbeat).
     */
    long version();
}
