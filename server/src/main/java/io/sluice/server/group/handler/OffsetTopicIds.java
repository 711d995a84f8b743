package io.sluice.server.group.handler;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetCommit v10 and OffsetFetch v10 name topics by id only (KIP-848): the ids are turned into
 * names from the metadata image before the coordinator sees the request, and the answers carry
 * the ids back; an id the image does not know is UNKNOWN_TOPIC_ID, as in Kafka. Stateless,
 * thread-safe.
 */
final class OffsetTopicIds {

    /** The first OffsetCommit and OffsetFetch version that names topics by id. */
    static final short TOPIC_ID_VERSION = 10;

    private OffsetTopicIds() { }

    private static TopicImage byId(MetadataImage image, Uuid id) {
        return id == null || Uuid.ZERO_UUID.equals(id) ? null
                : image.topic(new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()));
    }

    private static Uuid idOf(MetadataImage image, String name) {
        TopicImage t = name == null ? null : image.topic(name);
        return t == null ? null : new Uuid(t.topicId().getMostSignificantBits(), t.topicId().getLeastSignificantBits());
    }

    /** Gives each topic of a v10 commit its name (null when the id is unknown: refused below). */
    static void nameCommitTopics(OffsetCommitRequestData req, MetadataImage image) {
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : req.topics()) {
            TopicImage ti = byId(image, t.topicId());
            t.setName(ti == null ? null : ti.name());
        }
    }

    /** Puts the request's ids on the answer (one answer topic per request topic, in order). */
    static OffsetCommitResponseData idCommitResponse(OffsetCommitRequestData req, OffsetCommitResponseData resp) {
        for (int i = 0; i < resp.topics().size() && i < req.topics().size(); i++) {
            OffsetCommitRequestData.OffsetCommitRequestTopic t = req.topics().get(i);
            OffsetCommitResponseData.OffsetCommitResponseTopic rt = resp.topics().get(i).setTopicId(t.topicId());
            if (t.name() == null) {
                rt.partitions().forEach(p -> {
                    if (p.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code()) {
                        p.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                    }
                });
            }
        }
        return resp;
    }

    /**
     * The topics of a v10 fetch with their names; those whose id is unknown are left out and
     * collected in {@code unknown} (answered UNKNOWN_TOPIC_ID by {@link #idFetchResponse}).
     */
    static List<OffsetFetchRequestData.OffsetFetchRequestTopics> nameFetchTopics(
            List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics, MetadataImage image,
            List<OffsetFetchRequestData.OffsetFetchRequestTopics> unknown) {
        if (topics == null) {
            return null;
        }
        List<OffsetFetchRequestData.OffsetFetchRequestTopics> named = new ArrayList<>();
        for (OffsetFetchRequestData.OffsetFetchRequestTopics t : topics) {
            TopicImage ti = byId(image, t.topicId());
            if (ti == null) {
                unknown.add(t);
            } else {
                named.add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(ti.name()).setTopicId(t.topicId())
                        .setPartitionIndexes(t.partitionIndexes()));
            }
        }
        return named;
    }

    /** Puts topic ids on a v10 fetch answer; topics no longer in the image are left out (no id to give). */
    static OffsetFetchResponseData.OffsetFetchResponseGroup idFetchResponse(
            OffsetFetchResponseData.OffsetFetchResponseGroup g, MetadataImage image,
            List<OffsetFetchRequestData.OffsetFetchRequestTopics> unknown) {
        g.topics().removeIf(t -> idOf(image, t.name()) == null);
        g.topics().forEach(t -> t.setTopicId(idOf(image, t.name())));
        for (OffsetFetchRequestData.OffsetFetchRequestTopics t : unknown) {
            OffsetFetchResponseData.OffsetFetchResponseTopics rt =
                    new OffsetFetchResponseData.OffsetFetchResponseTopics().setTopicId(t.topicId());
            for (int p : t.partitionIndexes()) {
                rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(p)
                        .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("")
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
            }
            g.topics().add(rt);
        }
        return g;
    }
}
