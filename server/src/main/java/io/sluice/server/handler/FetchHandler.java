package io.sluice.server.handler;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.replication.Partition;
import io.sluice.replication.ReplicaManager;
import io.sluice.storage.log.EpochEndOffset;
import io.sluice.server.protocol.FileSliceRecords;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.server.quota.ReplicationThrottles;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.log.LogReadResult;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Fetch (v4-18): reads whole batches as slices of the segment mappings and sends them without a
 * copy; the storage leases are released once the response left the socket. Honours partition
 * and response max bytes (the first partition with data may exceed them by one batch, as in
 * Kafka) and long-polls with {@code max.wait.ms}/{@code min.bytes} through {@link DelayedFetch}.
 * Fetch sessions (KIP-227) go through {@link FetchSessionCache}. v13+ addresses topics by id.
 * A follower's fetch of a partition in {@code leader.replication.throttled.replicas} is answered
 * without records while the leader replication quota is exceeded and the follower is not in the
 * ISR, and the bytes sent of such partitions are recorded in that quota (Kafka's ReplicaManager and
 * KafkaApis). Thread-safe.
 */
public final class FetchHandler implements ApiHandler, AutoCloseable {

    /**
     * Record slices at least this big are checked for residency (mincore through
     * {@link MappedByteBuffer#isLoaded()}); smaller ones are the hot tail and go out at once.
     */
    static final int COLD_CHECK_MIN_BYTES = 64 * 1024;
    /**
     * Record slices at least this big go out with sendfile from the segment file rather than from
     * the mapping: no copy through the broker and no pages mapped into it. Smaller ones (the hot
     * tail) are cheaper through the mapping than a file open and close.
     */
    static final int SENDFILE_MIN_BYTES = 64 * 1024;
    private static final int COLD_READERS = 2;
    private static final int COLD_QUEUE_MAX = 1024;

    /**
     * One partition to read, resolved against the metadata: {@code replica} is the partition held
     * here (the leader, or for a KIP-392 consumer fetch possibly a follower), null with an error.
     */
    record Target(String topic, Uuid topicId, int partition, long fetchOffset, int maxBytes, int currentLeaderEpoch,
                  int lastFetchedEpoch, long logStartOffset, short error, Partition replica) { }

    /**
     * Who fetches: a consumer (reads to the high watermark) or a follower replica (reads to the log
     * end). {@code rack} is a v11+ consumer's {@code rack_id} (KIP-392 client metadata, possibly
     * empty); null when the fetch carries none, which keeps the consumer on the leader. A preferred
     * read replica must be reachable on {@code listenerName}, the listener the fetch came in on.
     */
    private record Fetcher(int replicaId, long replicaEpoch, String rack, String listenerName) {
        boolean isFollower() {
            return replicaId >= 0;
        }

        boolean mayReadFollowers() {
            return !isFollower() && rack != null;
        }
    }

    private final HandlerContext ctx;
    private final ReplicationThrottles throttles;
    private final FetchSessionCache sessions;
    /** Followers and pre-v11 consumers read from the leader only. */
    private final FetchSessionCache.Resolver leaderOnly =
            (name, id, fp, image, byId) -> resolve(name, id, fp, image, byId, false);
    /** KIP-392: a v11+ consumer (its fetch carries client metadata, the rack) may read from any replica. */
    private final FetchSessionCache.Resolver anyReplica =
            (name, id, fp, image, byId) -> resolve(name, id, fp, image, byId, true);
    /**
     * Pages in cold record slices (a consumer catching up) before the event loop writes them: a
     * page fault stalls the thread that touches the page, and it must not be an event loop that
     * serves hot traffic (docs/architecture.md, "mmap's costs"). When the queue is full the event loop does it.
     */
    private final ThreadPoolExecutor coldReaders = new ThreadPoolExecutor(COLD_READERS, COLD_READERS, 30,
            TimeUnit.SECONDS, new ArrayBlockingQueue<>(COLD_QUEUE_MAX), r -> {
                Thread t = new Thread(r, "sluice-cold-reader");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy());

    /** @param throttles the leader side of the replication throttle applies to follower fetches */
    public FetchHandler(HandlerContext ctx, ReplicationThrottles throttles) {
        this.ctx = ctx;
        this.throttles = throttles;
        this.sessions = new FetchSessionCache(ctx.config().getInt(ServerConfigDef.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS));
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        FetchRequestData req = request.bodyAs(FetchRequestData.class);
        short v = request.apiVersion();
        MetadataImage image = ctx.metadata().image();
        int replicaId = v >= 15 ? req.replicaState().replicaId() : req.replicaId();
        Fetcher fetcher = new Fetcher(replicaId, v >= 15 ? req.replicaState().replicaEpoch() : -1,
                v >= 11 && replicaId < 0 ? req.rackId() : null, client.listenerName());
        FetchSessionCache.Plan plan = sessions.plan(req, v, image, fetcher.mayReadFollowers() ? anyReplica : leaderOnly);
        if (plan.error() != Errors.NONE) {
            FetchResponseData resp = new FetchResponseData().setErrorCode(plan.error()).setSessionId(0);
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        int responseMaxBytes = Math.min(req.maxBytes(), ctx.config().getInt(ServerConfigDef.FETCH_MAX_BYTES));
        ToLongFunction<Partition> progress = fetcher.isFollower() ? Partition::appendedBytes : Partition::committedBytes;
        List<Partition> replicas = new ArrayList<>();
        for (Target t : plan.targets()) {
            if (t.replica() != null) {
                replicas.add(t.replica());
            }
        }
        long[] baseline = new long[replicas.size()];
        for (int i = 0; i < baseline.length; i++) {
            baseline[i] = progress.applyAsLong(replicas.get(i));
        }
        Read first = read(plan, v, responseMaxBytes, fetcher);
        if (first.bytes >= req.minBytes() || req.maxWaitMs() <= 0 || first.error || first.answerNow
                || replicas.isEmpty()) {
            return respond(first, plan);
        }
        first.release();
        List<Partition> watched = replicas;
        long[] watchedBaseline = baseline;
        if (!first.throttled.isEmpty()) {
            // Kafka's DelayedFetch: bytes of partitions throttled for this follower do not count
            // toward min bytes, so their appends do not answer it early (empty again) before max wait.
            watched = new ArrayList<>();
            List<Long> kept = new ArrayList<>();
            for (int i = 0; i < replicas.size(); i++) {
                if (!first.throttled.contains(replicas.get(i))) {
                    watched.add(replicas.get(i));
                    kept.add(baseline[i]);
                }
            }
            watchedBaseline = kept.stream().mapToLong(Long::longValue).toArray();
        }
        CompletableFuture<KafkaResponse> result = new CompletableFuture<>();
        DelayedFetch delayed = new DelayedFetch(watched, progress, watchedBaseline, req.minBytes(), client.eventLoop(), () -> {
            try {
                respond(read(plan, v, responseMaxBytes, fetcher), plan).whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(r);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        delayed.park(req.maxWaitMs());
        return result;
    }

    /** Answers at once, or after a cold reader paged in the record slices that are not resident. */
    private CompletableFuture<KafkaResponse> respond(Read read, FetchSessionCache.Plan plan) {
        List<MappedByteBuffer> cold = null;
        for (LogReadResult r : read.leases) {
            if (isCold(r.records())) {
                if (cold == null) {
                    cold = new ArrayList<>();
                }
                cold.add((MappedByteBuffer) r.records());
            }
        }
        if (cold == null) {
            return CompletableFuture.completedFuture(read.response(plan));
        }
        List<MappedByteBuffer> toLoad = cold;
        return CompletableFuture.supplyAsync(() -> {
            for (MappedByteBuffer m : toLoad) {
                m.load();
            }
            return read.response(plan);
        }, coldReaders);
    }

    /** A big slice of a mapping with pages not in memory: touching it would fault. */
    static boolean isCold(ByteBuffer records) {
        return records.remaining() >= COLD_CHECK_MIN_BYTES && records instanceof MappedByteBuffer m && !m.isLoaded();
    }

    @Override
    public void close() {
        coldReaders.shutdownNow();
    }

    /**
     * Resolves a requested partition against the image and the replicas held here: the leader, or
     * with {@code anyReplica} (KIP-392) a follower too.
     */
    Target resolve(String name, Uuid topicId, FetchRequestData.FetchPartition fp, MetadataImage image, boolean byId,
                   boolean anyReplica) {
        TopicImage topic = byId ? image.topic(Uuids.fromKafka(topicId)) : image.topic(name);
        short error = Errors.NONE;
        Partition replica = null;
        if (topic == null) {
            error = byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (topic.partition(fp.partition()) == null) {
            error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } else {
            ReplicaManager.Lookup held = anyReplica
                    ? ctx.replicas().replica(topic.name(), fp.partition(), fp.currentLeaderEpoch())
                    : ctx.replicas().leader(topic.name(), fp.partition(), fp.currentLeaderEpoch());
            error = held.errorCode();
            replica = held.partition();
        }
        return new Target(topic != null ? topic.name() : name, topic != null ? Uuids.toKafka(topic.topicId()) : topicId,
                fp.partition(), fp.fetchOffset(), fp.partitionMaxBytes(), fp.currentLeaderEpoch(), fp.lastFetchedEpoch(),
                fp.logStartOffset(), error, replica);
    }

    private Read read(FetchSessionCache.Plan plan, short v, int responseMaxBytes, Fetcher fetcher) {
        Read out = new Read();
        int remaining = responseMaxBytes;
        for (Target t : plan.targets()) {
            PartitionData pd = new PartitionData().setPartitionIndex(t.partition()).setRecords(MemoryRecords.EMPTY);
            if (t.error() != Errors.NONE) {
                pd.setErrorCode(t.error()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
                out.error = true;
            } else {
                Partition p = t.replica();
                EpochEndOffset diverging = fetcher.isFollower() ? divergence(p, t) : null;
                int preferred = fetcher.rack() == null ? -1
                        : ctx.replicas().preferredReadReplica(p, fetcher.rack(), t.fetchOffset(), fetcher.listenerName());
                int maxBytes = Math.min(t.maxBytes(), remaining);
                LogReadResult r = diverging != null || preferred >= 0 ? null
                        : fetcher.isFollower() ? p.readForFollower(t.fetchOffset(), maxBytes, out.bytes == 0)
                        : p.readCommitted(t.fetchOffset(), maxBytes, out.bytes == 0);
                if (fetcher.isFollower() && r != null && r.errorCode() == Errors.NONE) {
                    ctx.replicas().onFollowerFetch(p, fetcher.replicaId(), fetcher.replicaEpoch(), t.fetchOffset(),
                            t.logStartOffset());
                }
                // Kafka reads first (the read records the follower's position), then leaves the records out.
                boolean throttled = r != null && r.errorCode() == Errors.NONE && fetcher.isFollower()
                        && throttles.shouldLeaderThrottle(p, fetcher.replicaId());
                long hw = p.highWatermark();
                if (diverging != null) {
                    // KIP-320: the follower's last epoch ends earlier here; it truncates before fetching on.
                    pd.setErrorCode(Errors.NONE).setHighWatermark(hw).setLastStableOffset(hw)
                            .setLogStartOffset(p.logStartOffset());
                    pd.divergingEpoch().setEpoch(diverging.epoch()).setEndOffset(diverging.endOffset());
                    out.answerNow = true;
                } else if (preferred >= 0) {
                    // KIP-392: no records from here; the consumer's next fetch goes to the preferred replica.
                    pd.setErrorCode(Errors.NONE).setHighWatermark(hw).setLastStableOffset(hw)
                            .setLogStartOffset(p.logStartOffset()).setPreferredReadReplica(preferred);
                    out.answerNow = true;
                } else if (r.errorCode() != Errors.NONE) {
                    r.close();
                    pd.setErrorCode(r.errorCode()).setHighWatermark(hw).setLastStableOffset(hw)
                            .setLogStartOffset(r.logStartOffset());
                    out.error = true;
                } else {
                    int size = throttled ? 0 : r.sizeInBytes();
                    if (throttled) {
                        out.throttled.add(p);
                    }
                    if (size > 0) {
                        pd.setRecords(MemoryRecords.readableRecords(r.records()));
                        out.leases.add(r);
                        out.recordsOf.put(pd, r);
                        out.bytes += size;
                        remaining = Math.max(0, remaining - size);
                    } else {
                        r.close();
                    }
                    pd.setErrorCode(Errors.NONE).setHighWatermark(hw).setLastStableOffset(hw)
                            .setLogStartOffset(r.logStartOffset());
                }
            }
            pd.setAbortedTransactions(null);
            out.partitions.add(new Object[] {t, pd});
        }
        out.version = v;
        out.follower = fetcher.isFollower();
        return out;
    }

    /**
     * Where a follower's log leaves the leader's (KIP-320): null when the follower's last fetched
     * epoch ends at or after its fetch offset here; else the epoch and end offset it must truncate to.
     */
    private static EpochEndOffset divergence(Partition leader, Target t) {
        if (t.lastFetchedEpoch() < 0) {
            return null;
        }
        EpochEndOffset e = leader.endOffsetForEpoch(t.lastFetchedEpoch());
        return e.epoch() == t.lastFetchedEpoch() && e.endOffset() >= t.fetchOffset() ? null : e;
    }

    /** The outcome of one read pass: partition data and the leases to release after sending. */
    private final class Read {
        final List<Object[]> partitions = new ArrayList<>();
        final List<LogReadResult> leases = new ArrayList<>();
        /** Which read each partition's records came from (identity: PartitionData's equals compares contents). */
        final Map<PartitionData, LogReadResult> recordsOf = new IdentityHashMap<>();
        int bytes;
        boolean error;
        /** A partition's answer must not wait for data: a diverging epoch or a preferred read replica (as in Kafka). */
        boolean answerNow;
        /** Partitions answered without records by the leader replication throttle. */
        final Set<Partition> throttled = Collections.newSetFromMap(new IdentityHashMap<>());
        short version;
        boolean follower;

        void release() {
            for (LogReadResult r : leases) {
                r.close();
            }
            leases.clear();
        }

        KafkaResponse response(FetchSessionCache.Plan plan) {
            FetchResponseData resp = new FetchResponseData().setErrorCode(Errors.NONE).setSessionId(plan.sessionId());
            FetchableTopicResponse current = null;
            for (Object[] entry : partitions) {
                Target t = (Target) entry[0];
                PartitionData pd = (PartitionData) entry[1];
                if (!plan.include(t, pd)) {
                    continue;
                }
                boolean same = current != null && (version >= 13 ? current.topicId().equals(t.topicId())
                        : current.topic().equals(t.topic()));
                if (!same) {
                    current = new FetchableTopicResponse();
                    if (version >= 13) {
                        current.setTopicId(t.topicId());
                    } else {
                        current.setTopic(t.topic());
                    }
                    resp.responses().add(current);
                }
                LogReadResult r = recordsOf.get(pd);
                if (follower && r != null && throttles.isLeaderThrottled(new TopicPartitionId(t.topic(), t.partition()))) {
                    throttles.leader().record(r.sizeInBytes());
                }
                ctx.topicMetrics().fetched(t.topic(), r == null ? 0 : r.sizeInBytes(), pd.errorCode() != Errors.NONE,
                        follower);
                if (r != null && r.sizeInBytes() >= SENDFILE_MIN_BYTES) {
                    r.openFileSlice().ifPresent(slice -> pd.setRecords(new FileSliceRecords(slice)));
                }
                current.partitions().add(pd);
            }
            List<LogReadResult> held = new ArrayList<>(leases);
            return KafkaResponse.of(resp, () -> {
                for (LogReadResult r : held) {
                    r.close();
                }
            });
        }
    }
}
