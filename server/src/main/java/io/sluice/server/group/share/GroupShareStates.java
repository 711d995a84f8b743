package io.sluice.server.group.share;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.group.GroupConfig;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.handler.Uuids;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Finding a share group's share-partition states for the admin APIs. Sluice keeps no list of the
 * share-partitions a group initialized (Kafka's ShareGroupStatePartitionMetadata record), so they
 * are found by asking the share coordinators about every candidate partition (of the topics named,
 * or of every topic but the internal ones): one ReadShareGroupStateSummary per coordinator broker.
 * Thread-safe.
 */
final class GroupShareStates {

    private static final Set<String> INTERNAL_TOPICS = Set.of(GroupConfig.OFFSETS_TOPIC, ShareGroupConfig.STATE_TOPIC);

    private final HandlerContext ctx;
    private final ShareStatePersister persister;

    GroupShareStates(HandlerContext ctx, ShareStatePersister persister) {
        this.ctx = ctx;
        this.persister = persister;
    }

    /** The share-partition keys of group {@code groupId} on {@code topicNames}' partitions, or every non-internal topic's when null. */
    List<ShareStateRecords.Key> candidates(String groupId, Collection<String> topicNames) {
        List<ShareStateRecords.Key> keys = new ArrayList<>();
        MetadataImage image = ctx.metadata().image();
        Collection<TopicImage> topics = topicNames == null ? image.topics()
                : topicNames.stream().map(image::topic).filter(t -> t != null).toList();
        for (TopicImage t : topics) {
            if (topicNames == null && INTERNAL_TOPICS.contains(t.name())) {
                continue;
            }
            Uuid id = Uuids.toKafka(t.topicId());
            for (int p = 0; p < t.partitionCount(); p++) {
                keys.add(new ShareStateRecords.Key(groupId, id, p));
            }
        }
        return keys;
    }

    /**
     * The states group {@code groupId} has on {@code topicNames} (every non-internal topic when
     * null); a coordinator that cannot answer fails the whole lookup ({@link #errorOf}). None before
     * {@code __share_group_state} exists (a lookup does not create it).
     */
    CompletableFuture<Map<ShareStateRecords.Key, ShareStatePersister.Summary>> of(String groupId,
                                                                                 Collection<String> topicNames) {
        if (ctx.metadata().image().topic(ShareGroupConfig.STATE_TOPIC) == null) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return persister.summaries(groupId, candidates(groupId, topicNames)).thenApply(all -> {
            Map<ShareStateRecords.Key, ShareStatePersister.Summary> out = new HashMap<>();
            for (Map.Entry<ShareStateRecords.Key, ShareStatePersister.Summary> e : all.entrySet()) {
                // A coordinator whose metadata has not seen a new topic yet holds no state of it.
                if (e.getValue().error() != Errors.NONE && e.getValue().error() != Errors.UNKNOWN_TOPIC_OR_PARTITION) {
                    throw new StateUnavailable(e.getValue().error());
                }
                if (e.getValue().exists()) {
                    out.put(e.getKey(), e.getValue());
                }
            }
            return out;
        });
    }

    /** The error a failed lookup answers with. */
    static Errors errorOf(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause instanceof StateUnavailable u ? retriable(u.error) : Errors.COORDINATOR_NOT_AVAILABLE;
    }

    /** A coordinator that moved or is loading is, to an admin client, one not available yet: it retries. */
    static Errors retriable(Errors e) {
        return e == Errors.NOT_COORDINATOR || e == Errors.COORDINATOR_LOAD_IN_PROGRESS ? Errors.COORDINATOR_NOT_AVAILABLE : e;
    }

    /** A share coordinator could not answer for one of a group's share-partitions. */
    private static final class StateUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Errors error;

        StateUnavailable(Errors error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }
}
