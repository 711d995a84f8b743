package io.sluice.chaos.inject;

import org.apache.kafka.common.TopicPartition;

/** Parses {@code TOPIC-P} as Kafka's tools print a partition ({@code orders-0}); a topic name may itself hold dashes. */
public final class TopicPartitions {
    private TopicPartitions() { }

    public static TopicPartition parse(String text) {
        String t = text.trim();
        int dash = t.lastIndexOf('-');
        if (dash <= 0 || dash == t.length() - 1) {
            throw new IllegalArgumentException("a partition is TOPIC-P, e.g. orders-0: '" + text + "'");
        }
        try {
            int partition = Integer.parseInt(t.substring(dash + 1));
            if (partition < 0) {
                throw new NumberFormatException();
            }
            return new TopicPartition(t.substring(0, dash), partition);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a partition is TOPIC-P with P a partition number, e.g. orders-0: '"
                    + text + "'");
        }
    }
}
