package io.sluice.replication.fetcher;

import io.sluice.replication.net.BrokerConnection;
import io.sluice.replication.quota.ReplicationQuota;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.utils.internals.LogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetcher thread: copies every partition it was given from one leader, all of them in each
 * Fetch (Kafka's ReplicaFetcherThread), within one incremental fetch session (KIP-227, through
 * kafka-clients' {@link FetchSessionHandler}): once the session is open a fetch names only the
 * partitions whose fetch position changed, so an idle partition costs nothing per round. A response is applied under {@code partitionLock}, and
 * {@link #remove} takes the same lock, so once a partition is removed nothing more is appended to
 * it: the caller may then make it a leader. The network wait happens outside the lock.
 *
 * <p>Replication throttle (Kafka's ReplicaFetcherThread): a partition in
 * {@code follower.replication.throttled.replicas} for this broker is left out of the fetch while the
 * follower quota is exceeded, unless this replica is in sync by its last fetch (its log end reached
 * the leader's high watermark); the bytes fetched for throttled partitions are recorded in the quota.
 * A partition left out drops from the fetch session and is sent in full again when it comes back.
 *
 * <p>Errors: a partition the leader does not lead (any more) waits {@code replica.fetch.backoff.ms}
 * until the metadata moves it; a connection failure closes the connection and backs the whole
 * thread off by the same time, logged once per streak. Thread-safe.
 */
final class ReplicaFetcher implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaFetcher.class);

    private final int leaderId;
    private final FetcherConfig config;
    private final LeaderAddresses addresses;
    private final FetcherStats stats;
    private final String name;
    private final ReentrantLock partitionLock = new ReentrantLock();
    private final Condition partitionsAdded = partitionLock.newCondition();
    private final Map<TopicPartitionId, FollowerReplica> partitions = new LinkedHashMap<>();
    private final Map<TopicPartitionId, Long> delayedUntilMs = new HashMap<>();
    /** Partitions whose log end reached the leader's high watermark on their last fetch with data (Kafka's lag 0). */
    private final Map<TopicPartitionId, Boolean> inSync = new HashMap<>();
    private final ReplicationQuota quota;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile BrokerConnection connection;
    /** The KIP-227 fetch session with the leader: after a full fetch, only changed partitions are sent. */
    private final FetchSessionHandler session;
    private boolean failing;

    ReplicaFetcher(int leaderId, int fetcherId, FetcherConfig config, LeaderAddresses addresses, FetcherStats stats,
                   ReplicationQuota quota) {
        this.stats = stats;
        this.quota = quota;
        this.leaderId = leaderId;
        this.config = config;
        this.addresses = addresses;
        this.name = "sluice-replica-fetcher-" + leaderId + "-" + fetcherId;
        this.session = new FetchSessionHandler(new LogContext("[" + name + "] "), leaderId);
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void add(FollowerReplica replica) {
        partitionLock.lock();
        try {
            partitions.put(replica.topicPartition(), replica);
            delayedUntilMs.remove(replica.topicPartition());
            inSync.remove(replica.topicPartition());
            partitionsAdded.signalAll();
        } finally {
            partitionLock.unlock();
        }
    }

    /** Removes a partition; returns once no response is being applied to it. */
    void remove(TopicPartitionId tp) {
        partitionLock.lock();
        try {
            partitions.remove(tp);
            delayedUntilMs.remove(tp);
            inSync.remove(tp);
        } finally {
            partitionLock.unlock();
        }
    }

    /** The replica of {@code tp} this fetcher fetches for, or null. */
    FollowerReplica replica(TopicPartitionId tp) {
        partitionLock.lock();
        try {
            return partitions.get(tp);
        } finally {
            partitionLock.unlock();
        }
    }

    boolean isEmpty() {
        partitionLock.lock();
        try {
            return partitions.isEmpty();
        } finally {
            partitionLock.unlock();
        }
    }

    void shutdown() {
        running = false;
        closeConnection(); // unblocks a fetch waiting on the socket
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }

    @Override
    public void run() {
        while (running) {
            try {
                Map<TopicPartitionId, FollowerReplica> batch = awaitPartitions();
                if (batch.isEmpty()) {
                    continue;
                }
                fetchOnce(batch);
                failing = false;
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                closeConnection();
                if (!running) {
                    return;
                }
                if (!failing) {
                    LOG.warn("{}: fetch from broker {} failed ({}); retrying every {} ms", name, leaderId, e.toString(),
                            config.replicaFetchBackoffMs());
                    failing = true;
                }
                try {
                    Thread.sleep(config.replicaFetchBackoffMs());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * The partitions to fetch now (not backing off, not throttled); waits while there are none
     * (Kafka's fetcher backs off {@code replica.fetch.backoff.ms} when it has nothing to fetch).
     */
    private Map<TopicPartitionId, FollowerReplica> awaitPartitions() throws InterruptedException {
        partitionLock.lock();
        try {
            long now = System.currentTimeMillis();
            Map<TopicPartitionId, FollowerReplica> ready = new LinkedHashMap<>();
            long nextMs = Long.MAX_VALUE;
            boolean overQuota = quota.throttlesAny() && quota.isQuotaExceeded();
            for (var e : partitions.entrySet()) {
                long until = delayedUntilMs.getOrDefault(e.getKey(), 0L);
                if (overQuota && shouldThrottle(e.getKey())) {
                    quota.throttled();
                } else if (until <= now) {
                    ready.put(e.getKey(), e.getValue());
                } else {
                    nextMs = Math.min(nextMs, until);
                }
            }
            if (ready.isEmpty()) {
                long waitMs = nextMs == Long.MAX_VALUE ? config.replicaFetchBackoffMs() : nextMs - now;
                partitionsAdded.await(Math.max(1, waitMs), TimeUnit.MILLISECONDS);
            }
            return ready;
        } finally {
            partitionLock.unlock();
        }
    }

    /** Kafka's shouldFollowerThrottle, the quota already known to be exceeded. */
    private boolean shouldThrottle(TopicPartitionId tp) {
        return !inSync.getOrDefault(tp, false) && quota.isThrottled(tp);
    }

    private void fetchOnce(Map<TopicPartitionId, FollowerReplica> batch) throws IOException {
        short version = ApiKeys.FETCH.latestVersion();
        FetchSessionHandler.Builder builder = session.newBuilder(batch.size(), false);
        for (FollowerReplica r : batch.values()) {
            builder.add(new TopicPartition(r.topicPartition().topic(), r.topicPartition().partition()),
                    new FetchRequest.PartitionData(uuid(r.topicId()), r.logEndOffset(), r.logStartOffset(),
                            config.replicaFetchMaxBytes(), Optional.of(r.leaderEpoch()),
                            r.lastFetchedEpoch() < 0 ? Optional.empty() : Optional.of(r.lastFetchedEpoch())));
        }
        FetchSessionHandler.FetchRequestData fetch = builder.build();
        FetchRequest request = FetchRequest.Builder.forReplica(version, config.nodeId(), config.brokerEpoch().getAsLong(),
                        config.replicaFetchWaitMaxMs(), config.replicaFetchMinBytes(), fetch.toSend())
                .setMaxBytes(config.replicaFetchResponseMaxBytes()).removed(fetch.toForget()).replaced(fetch.toReplace())
                .metadata(fetch.metadata()).build(version);
        FetchResponse response;
        stats.requested();
        try {
            response = (FetchResponse) connection().send(request);
        } catch (IOException | RuntimeException e) {
            stats.failed();
            session.handleError(e);
            throw e;
        }
        if (!session.handleResponse(response, version)) {
            // The handler has reset the session, so the next fetch is a full one. A session the leader
            // evicted or lost is routine (it has a bounded cache); anything else backs off.
            if (response.error() == Errors.FETCH_SESSION_ID_NOT_FOUND || response.error() == Errors.INVALID_FETCH_SESSION_EPOCH) {
                LOG.debug("{}: fetch session with broker {} reset ({})", name, leaderId, response.error());
                return;
            }
            throw new IOException("fetch response error " + response.error());
        }
        List<FollowerReplica> outOfRange = new ArrayList<>();
        for (var e : response.responseData(session.sessionTopicNames(), version).entrySet()) {
            FollowerReplica r = batch.get(new TopicPartitionId(e.getKey().topic(), e.getKey().partition()));
            if (r != null && !apply(r, e.getValue())) {
                outOfRange.add(r);
            }
        }
        for (FollowerReplica r : outOfRange) {
            resetOutOfRange(r);
        }
    }

    private static Uuid uuid(UUID id) {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    /**
     * Applies one partition's answer, unless the partition was removed or moved meanwhile.
     *
     * @return false when the fetch offset was out of the leader's range: the caller resets it, outside
     *         the lock, as that asks the leader first
     */
    private boolean apply(FollowerReplica r, FetchResponseData.PartitionData pd) {
        partitionLock.lock();
        try {
            if (partitions.get(r.topicPartition()) != r) {
                return true;
            }
            short error = pd.errorCode();
            if (error == ErrorCode.NONE) {
                Optional<FetchResponseData.EpochEndOffset> diverging = FetchResponse.divergingEpoch(pd);
                if (diverging.isPresent()) {
                    r.truncateToDivergence(diverging.get().epoch(), diverging.get().endOffset());
                    return true;
                }
                ByteBuffer records = pd.records() instanceof MemoryRecords m ? m.buffer() : ByteBuffer.allocate(0);
                int recordBytes = records.remaining();
                short appended = r.appendFromLeader(records, pd.highWatermark(), pd.logStartOffset());
                if (appended != ErrorCode.NONE) {
                    delay(r.topicPartition());
                } else {
                    stats.appended(recordBytes);
                    if (recordBytes > 0 || !inSync.containsKey(r.topicPartition())) {
                        inSync.put(r.topicPartition(), r.logEndOffset() >= pd.highWatermark());
                    }
                    if (quota.isThrottled(r.topicPartition())) {
                        quota.record(recordBytes);
                    }
                }
            } else if (error == ErrorCode.OFFSET_OUT_OF_RANGE) {
                return false;
            } else {
                LOG.debug("{}: {} answered error {} by broker {}", name, r.topicPartition(), error, leaderId);
                delay(r.topicPartition());
            }
            return true;
        } finally {
            partitionLock.unlock();
        }
    }

    /**
     * The fetch offset is outside the leader's log: past its end (an unclean leader with a shorter
     * log) truncate to that end; below its start, restart the log at the leader's start (Kafka's rule).
     * The leader is asked without the partition lock held, so an {@code unfollow} never waits on the
     * network; the reset happens only if the partition is still this fetcher's.
     */
    private void resetOutOfRange(FollowerReplica r) throws IOException {
        long leaderEnd = leaderOffset(r, ListOffsetsRequest.LATEST_TIMESTAMP);
        long leaderStart = r.logEndOffset() > leaderEnd ? -1 : leaderOffset(r, ListOffsetsRequest.EARLIEST_TIMESTAMP);
        partitionLock.lock();
        try {
            if (partitions.get(r.topicPartition()) != r) {
                return;
            }
            if (r.logEndOffset() > leaderEnd) {
                r.truncateTo(leaderEnd);
            } else {
                r.truncateFullyAndStartAt(Math.max(leaderStart, r.logEndOffset()));
            }
        } finally {
            partitionLock.unlock();
        }
    }

    private long leaderOffset(FollowerReplica r, long timestamp) throws IOException {
        ListOffsetsRequestData.ListOffsetsTopic topic = new ListOffsetsRequestData.ListOffsetsTopic()
                .setName(r.topicPartition().topic());
        topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition()
                .setPartitionIndex(r.topicPartition().partition()).setCurrentLeaderEpoch(r.leaderEpoch())
                .setTimestamp(timestamp));
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forReplica((short) 7, config.nodeId())
                .setTargetTimes(List.of(topic)).build((short) 7);
        ListOffsetsResponse response = (ListOffsetsResponse) connection().send(request);
        ListOffsetsResponseData.ListOffsetsPartitionResponse p =
                response.data().topics().get(0).partitions().get(0);
        if (p.errorCode() != ErrorCode.NONE) {
            throw new IOException("ListOffsets for " + r.topicPartition() + " answered error " + p.errorCode());
        }
        return p.offset();
    }

    private void delay(TopicPartitionId tp) {
        delayedUntilMs.put(tp, System.currentTimeMillis() + config.replicaFetchBackoffMs());
    }

    private BrokerConnection connection() throws IOException {
        BrokerConnection c = connection;
        if (c == null) {
            InetSocketAddress address = addresses.of(leaderId)
                    .orElseThrow(() -> new IOException("no address for broker " + leaderId));
            c = new BrokerConnection(address, config.replicaSocketTimeoutMs(), "sluice-replica-" + config.nodeId());
            synchronized (this) {
                if (!running) {
                    c.close();
                    throw new IOException("fetcher stopped");
                }
                connection = c;
            }
        }
        return c;
    }

    private synchronized void closeConnection() {
        BrokerConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }

}
