package io.sluice.server.group.share;

import io.sluice.replication.Partition;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.DelayedFetch;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.storage.log.LogReadResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * ShareFetch v1-2 (KIP-932), served by the leaders of the partitions: the share session step
 * ({@link ShareSessionCache}), the piggybacked acknowledgements (applied and persisted first), then
 * for each partition of the session the records acquired for the member: a read from the first
 * acquirable offset, whole batches sent as stored, and {@code acquired_records} saying which of
 * their offsets are this member's, with their delivery counts (the client delivers only those).
 * At most {@code max_records} are acquired per request, so v2's {@code record_limit} acquire mode
 * holds as well as the default. With nothing to hand out the request waits up to
 * {@code max_wait_ms} for new committed records ({@link DelayedFetch}); records released by other
 * members or by a lock running out are picked up by the next read, not by a wake-up.
 * v2's {@code is_renew_ack} request only acknowledges (RENEW extends locks, KIP-1222) and fetches
 * nothing. Thread-safe.
 */
public final class ShareFetchHandler implements ApiHandler {

    private final HandlerContext ctx;
    private final ShareAcks acks;
    private final ShareSessionCache sessions;
    /** share.version is at level 1, read at each request (UpdateFeatures changes it). */
    private final BooleanSupplier enabled;

    ShareFetchHandler(HandlerContext ctx, ShareAcks acks, ShareSessionCache sessions, BooleanSupplier enabled) {
        this.ctx = ctx;
        this.acks = acks;
        this.sessions = sessions;
        this.enabled = enabled;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        ShareFetchRequestData req = request.bodyAs(ShareFetchRequestData.class);
        if (!enabled.getAsBoolean()) {
            return done(topLevel(Errors.UNSUPPORTED_VERSION, ShareGroupHandlers.disabledMessage()));
        }
        if (req.groupId() == null || req.groupId().isEmpty() || req.memberId() == null || req.memberId().isEmpty()
                || req.memberId().length() > 36) {
            return done(topLevel(Errors.INVALID_REQUEST, "group id and member id (at most 36 characters) are required"));
        }
        if (req.shareAcquireMode() != 0 && req.shareAcquireMode() != 1) {
            return done(topLevel(Errors.INVALID_REQUEST, "unknown share acquire mode " + req.shareAcquireMode()));
        }
        int epoch = req.shareSessionEpoch();
        List<TopicIdPartition> named = new ArrayList<>();
        Map<TopicIdPartition, List<ShareAcks.Batch>> batches = new LinkedHashMap<>();
        for (ShareFetchRequestData.FetchTopic t : req.topics()) {
            for (ShareFetchRequestData.FetchPartition p : t.partitions()) {
                TopicIdPartition tp = new TopicIdPartition(t.topicId(), p.partitionIndex(), null);
                named.add(tp);
                for (ShareFetchRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
                    batches.computeIfAbsent(tp, k -> new ArrayList<>())
                            .add(new ShareAcks.Batch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
                }
            }
        }
        if (epoch == ShareSessionCache.INITIAL_EPOCH && !batches.isEmpty()) {
            return done(topLevel(Errors.INVALID_REQUEST, "acknowledgements are not allowed in the initial share session epoch"));
        }
        List<TopicIdPartition> forgotten = new ArrayList<>();
        for (ShareFetchRequestData.ForgottenTopic f : req.forgottenTopicsData()) {
            for (int p : f.partitions()) {
                forgotten.add(new TopicIdPartition(f.topicId(), p, null));
            }
        }
        ShareSessionCache.Context session = sessions.fetch(req.groupId(), req.memberId(), epoch, named, forgotten);
        if (session.error() != Errors.NONE) {
            return done(topLevel(session.error(), null));
        }
        boolean fetch = epoch != ShareSessionCache.FINAL_EPOCH && !req.isRenewAck();
        return acks.apply(req.groupId(), req.memberId(), batches).thenCompose(ackErrors -> {
            if (epoch == ShareSessionCache.FINAL_EPOCH) {
                sessions.close(req.groupId(), req.memberId());
            }
            if (!fetch) {
                return CompletableFuture.completedFuture(respond(req.groupId(), new Read(), ackErrors, epoch));
            }
            Read first = read(req, session.partitions());
            if (first.acquired > 0 || first.errors || req.maxWaitMs() <= 0 || first.waitOn.isEmpty()) {
                return CompletableFuture.completedFuture(respond(req.groupId(), first, ackErrors, epoch));
            }
            first.release();
            CompletableFuture<KafkaResponse> result = new CompletableFuture<>();
            long[] baseline = new long[first.waitOn.size()];
            for (int i = 0; i < baseline.length; i++) {
                baseline[i] = first.waitOn.get(i).committedBytes();
            }
            new DelayedFetch(first.waitOn, Partition::committedBytes, baseline, Math.max(1, req.minBytes()),
                    client.eventLoop(), () -> {
                        try {
                            result.complete(respond(req.groupId(), read(req, session.partitions()), ackErrors, epoch));
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e);
                        }
                    }).park(req.maxWaitMs());
            return result;
        });
    }

    /** One read pass over the session's partitions. */
    private static final class Read {
        final Map<TopicIdPartition, PartitionData> partitions = new LinkedHashMap<>();
        final List<LogReadResult> leases = new ArrayList<>();
        final List<Partition> waitOn = new ArrayList<>();
        int acquired;
        boolean errors;

        void release() {
            leases.forEach(LogReadResult::close);
            leases.clear();
        }
    }

    private Read read(ShareFetchRequestData req, List<TopicIdPartition> partitions) {
        Read out = new Read();
        int recordsLeft = req.maxRecords() > 0 ? req.maxRecords() : Integer.MAX_VALUE;
        int bytesLeft = req.maxBytes() > 0 ? req.maxBytes() : Integer.MAX_VALUE;
        for (TopicIdPartition tp : partitions) {
            ShareAcks.Resolved r = acks.resolve(req.groupId(), tp.topicId(), tp.partition());
            PartitionData pd = new PartitionData().setPartitionIndex(tp.partition()).setRecords(MemoryRecords.EMPTY);
            out.partitions.put(tp, pd);
            if (r.error() == Errors.COORDINATOR_LOAD_IN_PROGRESS) {
                // The share-partition's state is not readable yet (its topic is being created): no
                // records for now, as Kafka's share-partition answers while it initializes.
                if (r.partition() != null) {
                    out.waitOn.add(r.partition());
                }
                continue;
            }
            if (!r.ok()) {
                pd.setErrorCode(r.error().code()).setErrorMessage(r.message());
                out.errors = true;
                continue;
            }
            pd.currentLeader().setLeaderId(ctx.nodeId()).setLeaderEpoch(r.partition().leaderEpoch());
            out.waitOn.add(r.partition());
            if (recordsLeft <= 0 || bytesLeft <= 0) {
                continue;
            }
            int n = acquire(req.memberId(), r, recordsLeft, bytesLeft, pd, out);
            recordsLeft -= n;
            out.acquired += n;
        }
        return out;
    }

    /** Acquires records of one partition into {@code pd}; returns how many. */
    private int acquire(String memberId, ShareAcks.Resolved r, int recordsLeft, int bytesLeft, PartitionData pd, Read out) {
        Partition p = r.partition();
        SharePartition sp = r.share();
        long from = sp.nextFetchOffset(p.logStartOffset());
        long hw = p.highWatermark();
        if (from < 0 || from >= hw) {
            return 0;
        }
        LogReadResult read = p.readCommitted(from, bytesLeft, true);
        if (read.errorCode() != Errors.NONE.code() || read.sizeInBytes() == 0) {
            read.close();
            return 0;
        }
        ByteBuffer bytes = read.records();
        // The offsets the read returned, up to the end of the in-flight window (no more can be acquired).
        long windowEnd = sp.startOffset() + sp.maxInFlight();
        List<long[]> ends = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        int pos = 0;
        for (RecordBatch b : MemoryRecords.readableRecords(bytes.duplicate()).batches()) {
            pos += b.sizeInBytes();
            ends.add(new long[] {b.lastOffset(), pos});
            for (long o = Math.max(b.baseOffset(), from); o <= b.lastOffset() && o < windowEnd; o++) {
                offsets.add(o);
            }
        }
        long[] arr = offsets.stream().mapToLong(Long::longValue).toArray();
        List<SharePartition.Acquired> acquired = sp.acquire(memberId, arr, recordsLeft, hw);
        if (acquired.isEmpty()) {
            read.close();
            return 0;
        }
        long last = acquired.get(acquired.size() - 1).lastOffset();
        int end = bytes.remaining();
        for (long[] e : ends) {
            if (e[0] >= last) {
                end = (int) e[1];
                break;
            }
        }
        ByteBuffer slice = bytes.duplicate();
        slice.limit(slice.position() + end);
        pd.setRecords(MemoryRecords.readableRecords(slice.slice()));
        int n = 0;
        for (SharePartition.Acquired a : acquired) {
            pd.acquiredRecords().add(new ShareFetchResponseData.AcquiredRecords().setFirstOffset(a.firstOffset())
                    .setLastOffset(a.lastOffset()).setDeliveryCount(a.deliveryCount()));
            n += (int) (a.lastOffset() - a.firstOffset() + 1);
        }
        out.leases.add(read);
        return n;
    }

    private KafkaResponse respond(String groupId, Read read, Map<TopicIdPartition, Errors> ackErrors, int epoch) {
        ShareFetchResponseData resp = new ShareFetchResponseData().setErrorCode(Errors.NONE.code())
                .setAcquisitionLockTimeoutMs(acks.manager().recordLockDurationMs(groupId));
        Map<Uuid, ShareFetchResponseData.ShareFetchableTopicResponse> topics = new LinkedHashMap<>();
        for (Map.Entry<TopicIdPartition, Errors> e : ackErrors.entrySet()) {
            PartitionData pd = read.partitions.computeIfAbsent(e.getKey(),
                    tp -> new PartitionData().setPartitionIndex(tp.partition()).setRecords(MemoryRecords.EMPTY));
            pd.setAcknowledgeErrorCode(e.getValue().code());
        }
        for (Map.Entry<TopicIdPartition, PartitionData> e : read.partitions.entrySet()) {
            PartitionData pd = e.getValue();
            boolean interesting = epoch == ShareSessionCache.INITIAL_EPOCH || pd.errorCode() != 0
                    || !pd.acquiredRecords().isEmpty() || ackErrors.containsKey(e.getKey());
            if (interesting) {
                topics.computeIfAbsent(e.getKey().topicId(), id -> {
                    ShareFetchResponseData.ShareFetchableTopicResponse t =
                            new ShareFetchResponseData.ShareFetchableTopicResponse().setTopicId(id);
                    resp.responses().add(t);
                    return t;
                }).partitions().add(pd);
            }
        }
        List<LogReadResult> held = new ArrayList<>(read.leases);
        return KafkaResponse.of(resp, () -> held.forEach(LogReadResult::close));
    }

    private static ShareFetchResponseData topLevel(Errors e, String message) {
        return new ShareFetchResponseData().setErrorCode(e.code()).setErrorMessage(message);
    }

    private static CompletionStage<KafkaResponse> done(ShareFetchResponseData resp) {
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }
}
