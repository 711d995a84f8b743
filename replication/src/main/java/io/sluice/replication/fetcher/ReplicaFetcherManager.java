package io.sluice.replication.fetcher;

import io.sluice.replication.ReplicaManager;
import io.sluice.replication.quota.ReplicationQuota;
import io.sluice.storage.TopicPartitionId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The replica fetchers of this broker: {@code num.replica.fetchers} threads per source broker at
 * most, each partition on the one its hash picks (Kafka's AbstractFetcherManager), so every
 * Fetch to a leader carries many partitions. A fetcher left with no partitions is stopped.
 * Thread-safe: changes are serialised on the manager.
 */
public final class ReplicaFetcherManager implements ReplicaManager.FollowerFetching, AutoCloseable {

    private record FetcherKey(int leaderId, int fetcherId) { }

    private final FetcherConfig config;
    private final LeaderAddresses addresses;
    private final Map<FetcherKey, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<TopicPartitionId, FetcherKey> assigned = new HashMap<>();
    private final FetcherStats stats = new FetcherStats();
    private final ReplicationQuota quota;
    /** num.replica.fetchers now: the config's, until the dynamic setting changes it. */
    private int fetchersPerLeader;
    private boolean closed;

    /** @param quota the follower side's replication throttle, shared by every fetcher */
    public ReplicaFetcherManager(FetcherConfig config, LeaderAddresses addresses, ReplicationQuota quota) {
        this.config = config;
        this.quota = quota;
        this.addresses = addresses;
        this.fetchersPerLeader = config.numReplicaFetchers();
    }

    /**
     * Kafka's dynamic {@code num.replica.fetchers}: the partitions are spread again over the new
     * number of fetchers per leader, each keeping its position (it is the replica's log end).
     */
    public synchronized void resize(int fetchersPerLeader) {
        if (fetchersPerLeader < 1) {
            throw new IllegalArgumentException("num.replica.fetchers must be at least 1, not " + fetchersPerLeader);
        }
        if (closed || fetchersPerLeader == this.fetchersPerLeader) {
            return;
        }
        this.fetchersPerLeader = fetchersPerLeader;
        Map<FollowerReplica, Integer> leaderOf = new LinkedHashMap<>();
        assigned.forEach((tp, key) -> leaderOf.put(fetchers.get(key).replica(tp), key.leaderId()));
        leaderOf.forEach((replica, leaderId) -> follow(replica, leaderId));
    }

    @Override
    public synchronized void follow(FollowerReplica replica, int leaderId) {
        if (closed) {
            return;
        }
        TopicPartitionId tp = replica.topicPartition();
        unfollow(tp);
        FetcherKey key = new FetcherKey(leaderId, Math.floorMod(tp.hashCode(), fetchersPerLeader));
        ReplicaFetcher fetcher = fetchers.computeIfAbsent(key, k -> {
            ReplicaFetcher f = new ReplicaFetcher(k.leaderId(), k.fetcherId(), config, addresses, stats, quota);
            f.start();
            return f;
        });
        fetcher.add(replica);
        assigned.put(tp, key);
    }

    @Override
    public synchronized void unfollow(TopicPartitionId tp) {
        FetcherKey key = assigned.remove(tp);
        if (key == null) {
            return;
        }
        ReplicaFetcher fetcher = fetchers.get(key);
        fetcher.remove(tp);
        if (fetcher.isEmpty()) {
            fetchers.remove(key);
            fetcher.shutdown();
        }
    }

    public FetcherStats stats() {
        return stats;
    }

    /** Fetcher threads running now. */
    public synchronized int fetcherCount() {
        return fetchers.size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (ReplicaFetcher f : fetchers.values()) {
            f.shutdown();
        }
        fetchers.clear();
        assigned.clear();
    }
}
