package io.sluice.replication.fetcher;

import java.util.function.LongSupplier;

/**
 * The replica fetchers' settings, Kafka's names: {@code num.replica.fetchers},
 * {@code replica.fetch.max.bytes} (per partition), {@code replica.fetch.response.max.bytes},
 * {@code replica.fetch.wait.max.ms}, {@code replica.fetch.min.bytes}, {@code replica.fetch.backoff.ms}
 * and {@code replica.socket.timeout.ms}. {@code brokerEpoch} is this broker's current epoch (the
 * Fetch's ReplicaState, so a leader can tell a restarted follower from its predecessor).
 */
public record FetcherConfig(int nodeId, LongSupplier brokerEpoch, int numReplicaFetchers, int replicaFetchMaxBytes,
                            int replicaFetchResponseMaxBytes, int replicaFetchWaitMaxMs, int replicaFetchMinBytes,
                            long replicaFetchBackoffMs, int replicaSocketTimeoutMs) {

    public FetcherConfig {
        if (numReplicaFetchers < 1) {
            throw new IllegalArgumentException("num.replica.fetchers must be at least 1");
        }
    }
}
