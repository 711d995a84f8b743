package io.sluice.server.group;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.group.consumer.ClusterTopics;
import io.sluice.server.handler.Uuids;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;

/**
 * The cluster's topics for the consumer group assignors, read from the broker's latest metadata
 * image on every call. Thread-safe (the image is immutable).
 */
final class MetadataClusterTopics implements ClusterTopics {

    private final Supplier<MetadataImage> image;

    MetadataClusterTopics(Supplier<MetadataImage> image) {
        this.image = image;
    }

    @Override
    public Topic byName(String name) {
        return toTopic(image.get().topic(name));
    }

    @Override
    public Topic byId(Uuid id) {
        UUID topicId = Uuids.fromKafka(id);
        return topicId == null ? null : toTopic(image.get().topic(topicId));
    }

    @Override
    public Collection<Topic> all() {
        Collection<TopicImage> topics = image.get().topics();
        List<Topic> out = new ArrayList<>(topics.size());
        topics.forEach(t -> out.add(toTopic(t)));
        return out;
    }

    /** The image's Raft index: every topic change is an applied entry. */
    @Override
    public long version() {
        return image.get().offset();
    }

    private static Topic toTopic(TopicImage t) {
        return t == null ? null : new Topic(t.name(), Uuids.toKafka(t.topicId()), t.partitionCount());
    }
}
