package io.sluice.chaos.workload;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the partition and offset out of the consumer's "record batch is corrupt" exception, so a
 * consumer can seek past a corrupted batch the way a user would. kafka-clients does not expose
 * them as fields for this error, only in the message. Stateless.
 */
final class CorruptRecordSkip {
    private static final Pattern WHERE = Pattern.compile("partition ([^\\s]+)-(\\d+) at offset (\\d+)");

    private CorruptRecordSkip() { }

    static Optional<Where> parse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                Matcher m = WHERE.matcher(t.getMessage());
                if (m.find()) {
                    return Optional.of(new Where(new TopicPartition(m.group(1), Integer.parseInt(m.group(2))),
                            Long.parseLong(m.group(3))));
                }
            }
        }
        return Optional.empty();
    }

    record Where(TopicPartition tp, long offset) { }
}
