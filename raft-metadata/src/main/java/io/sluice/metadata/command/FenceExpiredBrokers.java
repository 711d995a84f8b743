package io.sluice.metadata.command;

import java.util.List;

/**
 * The quorum leader's liveness tick: fences every unfenced broker whose last heartbeat is older
 * than {@code sessionTimeoutMs} at the leader time stamped on this entry, and moves leadership of
 * its partitions to live ISR members (leader epoch + 1). Submitted only by the quorum leader, so
 * apply stays deterministic: "now" is in the log, not read from a clock.
 *
 * <p>{@code leaderSinceMs} is when the submitting leader took office. A heartbeat older than that
 * counts as sent then: while the quorum had no leader no heartbeat could commit, so a quorum
 * outage longer than the session must not fence every broker the moment it ends. (Kafka's new
 * active controller likewise starts every broker's session afresh.)
 */
public record FenceExpiredBrokers(int sessionTimeoutMs, long leaderSinceMs)
    implements MetadataCommand<FenceExpiredBrokers.Result> {
    /** What version 0 entries, written before the field existed, decode to: no grace. */
    public static final long NO_LEADER_SINCE = Long.MIN_VALUE;

    @Override
    public CommandType type() {
        return CommandType.FENCE_EXPIRED_BROKERS;
    }

    @Override
    public Result failed(short errorCode, String message) {
        return new Result(errorCode, message, List.of());
    }

    /** @param fencedBrokers brokers this tick fenced */
    public record Result(short errorCode, String errorMessage, List<Integer> fencedBrokers) implements CommandResult {
        public Result {
            fencedBrokers = List.copyOf(fencedBrokers);
        }
    }
}
