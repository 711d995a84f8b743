package io.sluice.metadata.image;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What one applied entry changed, handed to {@link MetadataListener}s with the new image so a
 * broker can become leader or follower without diffing images. Immutable, thread-safe.
 *
 * @param offset             log index of the applied entry
 * @param imageReplaced      true when a snapshot was loaded: the whole image changed and a listener
 *                           must resynchronise from {@link MetadataImage} alone (the lists are empty)
 * @param createdTopics      ids of topics created by this entry
 * @param deletedTopics      topics deleted by this entry, as they were before deletion
 * @param changedPartitions  partitions whose leader, ISR, replicas or epochs changed, or that were created
 * @param changedBrokers     ids of brokers registered, unregistered, fenced or unfenced
 * @param configsChanged     true when a topic, broker or group config changed
 */
public record MetadataDelta(long offset, boolean imageReplaced, Set<UUID> createdTopics,
                            List<TopicImage> deletedTopics, List<PartitionChange> changedPartitions,
                            Set<Integer> changedBrokers, boolean configsChanged) {
    public MetadataDelta {
        createdTopics = Set.copyOf(createdTopics);
        deletedTopics = List.copyOf(deletedTopics);
        changedPartitions = List.copyOf(changedPartitions);
        changedBrokers = Set.copyOf(changedBrokers);
    }

    /** The delta announcing a whole new image (snapshot load). */
    public static MetadataDelta replaced(long offset) {
        return new MetadataDelta(offset, true, Set.of(), List.of(), List.of(), Set.of(), true);
    }

    public boolean isEmpty() {
        return !imageReplaced && createdTopics.isEmpty() && deletedTopics.isEmpty() && changedPartitions.isEmpty()
            && changedBrokers.isEmpty() && !configsChanged;
    }

    /**
     * One partition's change.
     *
     * @param topicId   the topic
     * @param topicName the topic's name
     * @param before    the partition before, or null when it was created
     * @param after     the partition after
     */
    public record PartitionChange(UUID topicId, String topicName, PartitionImage before, PartitionImage after) {
        /** True when the leader or leader epoch changed (the broker must become leader/follower again). */
        public boolean leaderChanged() {
            return before == null || before.leader() != after.leader() || before.leaderEpoch() != after.leaderEpoch();
        }
    }
}
