package io.sluice.server.group.share;

import io.sluice.metadata.client.MetadataClient;
import io.sluice.metadata.image.TopicImage;
import java.util.UUID;
import org.apache.kafka.common.Uuid;

/** {@link ShareTopics} over the broker's current metadata image. Thread-safe (images are immutable). */
public final class ImageShareTopics implements ShareTopics {

    private final MetadataClient metadata;

    public ImageShareTopics(MetadataClient metadata) {
        this.metadata = metadata;
    }

    @Override
    public Topic byName(String name) {
        return of(metadata.image().topic(name));
    }

    @Override
    public Topic byId(Uuid id) {
        return of(metadata.image().topic(new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits())));
    }

    private static Topic of(TopicImage t) {
        return t == null ? null : new Topic(t.name(), toKafka(t.topicId()), t.partitionCount());
    }

    static Uuid toKafka(UUID id) {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }
}
