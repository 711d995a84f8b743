package io.sluice.chaos.history;

import java.util.List;

/**
 * One history entry. Immutable and thread-safe. Fields that do not apply to a kind are null or -1.
 *
 * @param index     position in the history (total order of recording)
 * @param type      invoke, ok, fail or info
 * @param kind      what was done
 * @param process   the client (producer/consumer id) or "nemesis" for faults
 * @param node      the broker node the client talked to
 * @param timeNanos monotonic time since the history started
 * @param topic     for SEND/SEEK/COMMIT/FETCH_COMMITTED
 * @param partition for SEND/SEEK/COMMIT/FETCH_COMMITTED
 * @param offset    acknowledged offset (SEND ok; -1 if the broker did not say), position (SEEK),
 *                  committed offset (COMMIT, FETCH_COMMITTED; -1 = none)
 * @param value     the unique value (SEND), a group id (COMMIT, FETCH_COMMITTED, and SEEK to a position taken
 *                  from the group's committed offset), a fault (FAULT), how a replica differs (REPLICA_DIVERGED)
 * @param reads     records read (POLL ok)
 * @param error     the failure's message
 */
public record Op(long index, OpType type, OpKind kind, String process, String node, long timeNanos,
                 String topic, int partition, long offset, String value, List<Read> reads, String error) {

    public Op {
        reads = reads == null ? List.of() : List.copyOf(reads);
    }

    /** A compact one-line form for reports and the history file. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(index).append(' ').append(timeNanos / 1_000_000).append("ms ").append(process).append('@').append(node)
                .append(' ').append(type).append(' ').append(kind);
        if (topic != null) {
            sb.append(' ').append(topic).append('-').append(partition);
        }
        if (offset >= 0 || kind == OpKind.SEND && type == OpType.OK) {
            sb.append(" offset=").append(offset);
        }
        if (value != null) {
            sb.append(" value=").append(value);
        }
        if (!reads.isEmpty()) {
            sb.append(" reads=[");
            int shown = 0;
            for (Read r : reads) {
                if (shown++ == 8) {
                    sb.append(" …+").append(reads.size() - 8);
                    break;
                }
                sb.append(' ').append(r.topic()).append('-').append(r.partition()).append('@').append(r.offset())
                        .append('=').append(r.value());
            }
            sb.append(" ]");
        }
        if (error != null) {
            sb.append(" error=").append(error);
        }
        return sb.toString();
    }
}
