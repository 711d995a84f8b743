package io.sluice.metadata.statemachine;

import io.sluice.metadata.image.MetadataDelta;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Collects what one entry changed while it is applied: the first "before" and the last "after" of
 * each partition, created and deleted topics, touched brokers. Not thread-safe; one per entry.
 */
final class DeltaCollector {
    private record Key(UUID topicId, int partition) {
    }

    private final Map<Key, MetadataDelta.PartitionChange> partitions = new LinkedHashMap<>();
    private final Set<UUID> created = new HashSet<>();
    private final List<TopicImage> deleted = new ArrayList<>();
    private final Set<Integer> brokers = new HashSet<>();
    private boolean configsChanged;

    void partitionChanged(TopicImage topic, PartitionImage before, PartitionImage after) {
        Key k = new Key(topic.topicId(), after.partitionId());
        MetadataDelta.PartitionChange prev = partitions.get(k);
        PartitionImage first = prev == null ? before : prev.before();
        partitions.put(k, new MetadataDelta.PartitionChange(topic.topicId(), topic.name(), first, after));
    }

    void topicCreated(UUID id) {
        created.add(id);
    }

    void topicDeleted(TopicImage t) {
        deleted.add(t);
        partitions.keySet().removeIf(k -> k.topicId().equals(t.topicId()));
        created.remove(t.topicId());
    }

    void brokerChanged(int brokerId) {
        brokers.add(brokerId);
    }

    void configsChanged() {
        configsChanged = true;
    }

    MetadataDelta build(long offset) {
        return new MetadataDelta(offset, false, created, deleted, new ArrayList<>(partitions.values()), brokers,
            configsChanged);
    }
}
