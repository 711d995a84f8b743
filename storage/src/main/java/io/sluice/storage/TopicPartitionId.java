package io.sluice.storage;

import java.util.Objects;

/**
 * A partition of a topic, as storage names it: the directory of its log is {@code <topic>-<partition>}.
 * Storage's own type so that the module does not depend on kafka-clients.
 *
 * <p>Immutable, thread-safe.
 *
 * @param topic     topic name (Kafka rules: 1..249 chars of {@code [a-zA-Z0-9._-]})
 * @param partition partition index, {@code >= 0}
 */
public record TopicPartitionId(String topic, int partition) {

    /** Kafka's limit on a topic name (249 chars so that {@code <topic>-<partition>} fits a file name). */
    public static final int TOPIC_NAME_LENGTH_MAX = 249;

    public TopicPartitionId {
        Objects.requireNonNull(topic, "topic");
        if (!isValidTopicName(topic)) {
            throw new IllegalArgumentException("invalid topic name: '" + topic + "'");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    /** Kafka's legal topic names: not "." or "..", at most 249 of {@code [a-zA-Z0-9._-]}. */
    public static boolean isValidTopicName(String topic) {
        if (topic.isEmpty() || topic.length() > TOPIC_NAME_LENGTH_MAX || topic.equals(".") || topic.equals("..")) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The partition directory's name: {@code <topic>-<partition>}. */
    public String dirName() {
        return topic + "-" + partition;
    }

    /**
     * Parses a partition directory name (the topic may itself contain '-': the partition is after the last one).
     *
     * @throws IllegalArgumentException if the name is not {@code <topic>-<partition>}
     */
    public static TopicPartitionId parseDirName(String dirName) {
        int dash = dirName.lastIndexOf('-');
        if (dash <= 0 || dash == dirName.length() - 1) {
            throw new IllegalArgumentException("not a partition directory name (<topic>-<partition>): '" + dirName + "'");
        }
        final int partition;
        try {
            partition = Integer.parseInt(dirName.substring(dash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a partition directory name (<topic>-<partition>): '" + dirName + "'", e);
        }
        return new TopicPartitionId(dirName.substring(0, dash), partition);
    }

    @Override
    public String toString() {
        return dirName();
    }
}
