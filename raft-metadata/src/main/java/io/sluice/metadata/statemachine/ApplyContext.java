package io.sluice.metadata.statemachine;

import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.SplittableRandom;

/**
 * Everything one entry's apply may read or change: the image being built, the delta, and the
 * values the quorum leader stamped on the entry (its clock, a random seed, its session timeout).
 * Apply reads no clock and no random source of its own, which keeps every replica identical.
 * Not thread-safe; one per entry.
 */
final class ApplyContext {
    final ImageBuilder image;
    final DeltaCollector delta = new DeltaCollector();
    final long offset;
    final long nowMs;
    final int sessionTimeoutMs;
    private final SplittableRandom random;

    ApplyContext(ImageBuilder image, long offset, long nowMs, long seed, int sessionTimeoutMs) {
        this.image = image;
        this.offset = offset;
        this.nowMs = nowMs;
        this.random = new SplittableRandom(seed);
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    SplittableRandom random() {
        return random;
    }

    /** Replaces one partition of a topic in the image and records the change; returns the new topic. */
    TopicImage updatePartition(TopicImage topic, PartitionImage after) {
        PartitionImage before = topic.partition(after.partitionId());
        if (before.equals(after)) {
            return topic;
        }
        TopicImage updated = topic.withPartition(after);
        image.putTopic(updated);
        delta.partitionChanged(updated, before, after);
        return updated;
    }
}
