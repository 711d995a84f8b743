package io.sluice.chaos.checker;

/** A topic partition as the checker keys it. Immutable. */
public record TopicPartition(String topic, int partition) {
    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
