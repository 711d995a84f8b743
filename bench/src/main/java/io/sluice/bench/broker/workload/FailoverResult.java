package io.sluice.bench.broker.workload;

import java.util.List;

/**
 * The failover runs on one cluster in one repetition; one object in results.json. Immutable.
 *
 * @param broker the target's name
 * @param rep    repetition, from 1
 * @param runs   each kill, in order (fewer than asked if one failed)
 * @param error  why the runs stopped early, or null
 */
public record FailoverResult(String broker, int rep, List<Run> runs, String error) {

    /**
     * One kill -9 of a partition leader.
     *
     * @param killedAt      wall-clock time of the kill (ISO-8601 UTC), to find it in the brokers' logs
     * @param killedNode    the leader's node id, killed
     * @param newLeader     the leader afterwards (-1 if unknown)
     * @param unavailableMs from the kill to the next acknowledged acks=all send
     * @param attempts      sends tried until one was acknowledged
     * @param firstError    the first failed attempt's error (what the client saw), or null
     */
    public record Run(String killedAt, int killedNode, int newLeader, long unavailableMs, int attempts, String firstError) {
    }

    public FailoverResult {
        runs = List.copyOf(runs);
    }

    public boolean ok() {
        return error == null;
    }
}
