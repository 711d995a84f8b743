package io.sluice.metadata.image;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A topic: name, id, partitions indexed by partition id, and the topic-level configs that were set
 * explicitly (defaults are not stored). Immutable, thread-safe.
 */
public final class TopicImage {
    private final String name;
    private final UUID topicId;
    private final PartitionImage[] partitions;
    private final Map<String, String> configs;

    public TopicImage(String name, UUID topicId, PartitionImage[] partitions, Map<String, String> configs) {
        this.name = Objects.requireNonNull(name, "name");
        this.topicId = Objects.requireNonNull(topicId, "topicId");
        this.partitions = partitions.clone();
        for (int i = 0; i < this.partitions.length; i++) {
            if (this.partitions[i].partitionId() != i) {
                throw new IllegalStateException("partition " + i + " of " + name + " has id "
                    + this.partitions[i].partitionId());
            }
        }
        this.configs = Map.copyOf(configs);
    }

    public String name() {
        return name;
    }

    public UUID topicId() {
        return topicId;
    }

    public int partitionCount() {
        return partitions.length;
    }

    /** The partition, or null when {@code partitionId} is out of range. */
    public PartitionImage partition(int partitionId) {
        return partitionId >= 0 && partitionId < partitions.length ? partitions[partitionId] : null;
    }

    /** All partitions in partition-id order (an unmodifiable view). */
    public List<PartitionImage> partitions() {
        return Arrays.asList(partitions.clone());
    }

    /** Explicitly set topic configs (name → value); Kafka defaults apply to the rest. */
    public Map<String, String> configs() {
        return configs;
    }

    /** A copy with one partition replaced. */
    public TopicImage withPartition(PartitionImage p) {
        PartitionImage[] copy = partitions.clone();
        copy[p.partitionId()] = p;
        return new TopicImage(name, topicId, copy, configs, true);
    }

    /** A copy with partitions appended (CreatePartitions). */
    public TopicImage withAddedPartitions(List<PartitionImage> added) {
        PartitionImage[] copy = Arrays.copyOf(partitions, partitions.length + added.size());
        for (int i = 0; i < added.size(); i++) {
            copy[partitions.length + i] = added.get(i);
        }
        return new TopicImage(name, topicId, copy, configs);
    }

    /** A copy with other configs. */
    public TopicImage withConfigs(Map<String, String> newConfigs) {
        return new TopicImage(name, topicId, partitions, newConfigs);
    }

    // Trusted copy path: skips the per-partition id check and the config copy.
    private TopicImage(String name, UUID topicId, PartitionImage[] partitions, Map<String, String> configs,
                       boolean trusted) {
        this.name = name;
        this.topicId = topicId;
        this.partitions = partitions;
        this.configs = configs;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof TopicImage t && name.equals(t.name) && topicId.equals(t.topicId)
            && Arrays.equals(partitions, t.partitions) && configs.equals(t.configs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, topicId, Arrays.hashCode(partitions), configs);
    }

    @Override
    public String toString() {
        return "Topic{" + name + " id=" + topicId + " partitions=" + partitions.length + " configs=" + configs + '}';
    }
}
