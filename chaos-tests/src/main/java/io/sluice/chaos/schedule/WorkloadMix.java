package io.sluice.chaos.schedule;

import java.util.List;

/**
 * What the clients do during a schedule. Immutable.
 *
 * @param topics         names of the settings in use (see {@code TopicSpec.standard})
 * @param sendsPerSecond per producer (one producer per topic)
 * @param assignCommits  the assign() consumers commit offsets (needs OffsetCommit/OffsetFetch)
 * @param groupConsumers two consumers per topic in a consumer group (needs the group protocol)
 */
public record WorkloadMix(List<String> topics, int sendsPerSecond, boolean assignCommits, boolean groupConsumers) {
    public WorkloadMix {
        topics = List.copyOf(topics);
    }

    @Override
    public String toString() {
        return "topics=" + topics + " sends/s/producer=" + sendsPerSecond + " assign-commits=" + assignCommits
                + " group-consumers=" + groupConsumers;
    }
}
