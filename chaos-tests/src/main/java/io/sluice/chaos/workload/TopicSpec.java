package io.sluice.chaos.workload;

import java.util.List;

/**
 * One topic of the workload and the delivery setting its producer uses. Each setting gets its own
 * topic so every anomaly is attributed to exactly one acks/idempotence/flush setting. Immutable.
 *
 * @param name              topic name
 * @param partitions        partition count
 * @param acks              "0", "1" or "all"
 * @param idempotent        enable.idempotence (only with acks=all, as Kafka requires)
 * @param flushEveryMessage topic config flush.messages=1: acknowledged means forced to disk
 */
public record TopicSpec(String name, int partitions, String acks, boolean idempotent, boolean flushEveryMessage) {

    public TopicSpec {
        if (idempotent && !"all".equals(acks)) {
            throw new IllegalArgumentException("idempotence needs acks=all, got acks=" + acks + " for " + name);
        }
    }

    /** The row label in reports: acks, idempotence, flush. */
    public String label() {
        return "acks=" + acks + (idempotent ? " idem" : "") + (flushEveryMessage ? " flush=1" : "");
    }

    /** The six settings every schedule can draw from. */
    public static List<TopicSpec> standard(int partitions) {
        return List.of(
                new TopicSpec("acks0", partitions, "0", false, false),
                new TopicSpec("acks1", partitions, "1", false, false),
                new TopicSpec("acksall", partitions, "all", false, false),
                new TopicSpec("idem", partitions, "all", true, false),
                new TopicSpec("acksall-flush", partitions, "all", false, true),
                new TopicSpec("idem-flush", partitions, "all", true, true));
    }
}
