package io.sluice.server.group;

import io.sluice.server.group.consumer.ClusterTopics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/** Topics a unit test creates by hand, in place of the metadata image. Not thread-safe. */
public final class TestTopics implements ClusterTopics {

    private final Map<String, Topic> byName = new LinkedHashMap<>();
    private long version;

    /** Creates a topic with an id derived from its name (stable across a test). */
    public Topic create(String name, int partitions) {
        Topic t = new Topic(name, new Uuid(name.hashCode(), partitions + 1L), partitions);
        byName.put(name, t);
        version++;
        return t;
    }

    @Override
    public Topic byName(String name) {
        return byName.get(name);
    }

    @Override
    public Topic byId(Uuid id) {
        return byName.values().stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public Collection<Topic> all() {
        return new ArrayList<>(byName.values());
    }
}
