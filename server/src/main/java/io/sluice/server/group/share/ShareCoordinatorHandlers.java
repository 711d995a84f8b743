package io.sluice.server.group.share;

import io.sluice.metadata.image.TopicImage;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share coordinator's APIs, as Kafka 4.4 serves them to share-partition leaders and group
 * coordinators on other brokers: InitializeShareGroupState v0, ReadShareGroupState v0,
 * WriteShareGroupState v0-1, DeleteShareGroupState v0 and ReadShareGroupStateSummary v0-1, each
 * answered per partition from the {@link ShareStateStore}. A partition whose state partition is
 * led elsewhere gets NOT_COORDINATOR, one still loading COORDINATOR_LOAD_IN_PROGRESS; a missing
 * group id, topic id or a negative partition INVALID_REQUEST, a topic or partition the metadata
 * does not know UNKNOWN_TOPIC_OR_PARTITION (as Kafka's ShareCoordinatorShard checks). Writes are
 * answered once appended with acks=all. Thread-safe.
 */
public final class ShareCoordinatorHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(ShareCoordinatorHandlers.class);
    /** The most records a share-partition holds in flight (the highest group.share.partition.max.record.locks). */
    static final int IN_FLIGHT_SPAN_MAX = 10_000;
    /** A summary reader (a group coordinator) is no share-partition leader: its reads fence no one. */
    private static final int NOT_A_LEADER = -1;

    public final ApiHandler initialize = this::initialize;
    public final ApiHandler read = this::read;
    public final ApiHandler write = this::write;
    public final ApiHandler delete = this::delete;
    public final ApiHandler readSummary = this::readSummary;

    private final HandlerContext ctx;
    private final ShareStateStore store;
    /** share.version is at level 1, read at each request (UpdateFeatures changes it). */
    private final BooleanSupplier enabled;

    ShareCoordinatorHandlers(HandlerContext ctx, ShareStateStore store, BooleanSupplier enabled) {
        this.ctx = ctx;
        this.store = store;
        this.enabled = enabled;
    }

    /** Why a partition of a request cannot be served, or NONE. */
    private Errors check(String groupId, Uuid topicId, int partition) {
        if (!enabled.getAsBoolean()) {
            return Errors.UNSUPPORTED_VERSION;
        }
        if (groupId == null || groupId.isEmpty() || topicId == null || Uuid.ZERO_UUID.equals(topicId) || partition < 0) {
            LOG.info("Share coordinator request refused: group id '{}', topic id {}, partition {}", groupId, topicId,
                    partition);
            return Errors.INVALID_REQUEST;
        }
        TopicImage t = ctx.metadata().image().topic(new UUID(topicId.getMostSignificantBits(),
                topicId.getLeastSignificantBits()));
        return t == null || t.partition(partition) == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.NONE;
    }

    private static String message(Errors e) {
        return e == Errors.UNSUPPORTED_VERSION ? ShareGroupHandlers.disabledMessage() : null;
    }

    private CompletionStage<KafkaResponse> read(KafkaRequest request, ClientInfo client) {
        ReadShareGroupStateRequestData req = request.bodyAs(ReadShareGroupStateRequestData.class);
        ReadShareGroupStateResponseData resp = new ReadShareGroupStateResponseData();
        for (ReadShareGroupStateRequestData.ReadStateData t : req.topics()) {
            ReadShareGroupStateResponseData.ReadStateResult out =
                    new ReadShareGroupStateResponseData.ReadStateResult().setTopicId(t.topicId());
            resp.results().add(out);
            for (ReadShareGroupStateRequestData.PartitionData p : t.partitions()) {
                ReadShareGroupStateResponseData.PartitionResult r = new ReadShareGroupStateResponseData.PartitionResult()
                        .setPartition(p.partition()).setStateEpoch(0).setStartOffset(-1);
                out.partitions().add(r);
                Errors e = check(req.groupId(), t.topicId(), p.partition());
                ShareStateStore.Read state = e == Errors.NONE
                        ? store.read(new ShareStateRecords.Key(req.groupId(), t.topicId(), p.partition()), p.leaderEpoch())
                        : new ShareStateStore.Read(e, message(e), null);
                r.setErrorCode(state.error().code()).setErrorMessage(state.message());
                ShareStateRecords.Snapshot s = state.snapshot();
                if (s != null) {
                    r.setStateEpoch(s.stateEpoch()).setStartOffset(s.startOffset());
                    for (SharePartition.StateBatch b : s.batches()) {
                        r.stateBatches().add(new ReadShareGroupStateResponseData.StateBatch()
                                .setFirstOffset(b.firstOffset()).setLastOffset(b.lastOffset())
                                .setDeliveryState(b.state().id).setDeliveryCount(b.deliveryCount()));
                    }
                }
            }
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }

    private CompletionStage<KafkaResponse> readSummary(KafkaRequest request, ClientInfo client) {
        ReadShareGroupStateSummaryRequestData req = request.bodyAs(ReadShareGroupStateSummaryRequestData.class);
        ReadShareGroupStateSummaryResponseData resp = new ReadShareGroupStateSummaryResponseData();
        for (ReadShareGroupStateSummaryRequestData.ReadStateSummaryData t : req.topics()) {
            ReadShareGroupStateSummaryResponseData.ReadStateSummaryResult out =
                    new ReadShareGroupStateSummaryResponseData.ReadStateSummaryResult().setTopicId(t.topicId());
            resp.results().add(out);
            for (ReadShareGroupStateSummaryRequestData.PartitionData p : t.partitions()) {
                Errors e = check(req.groupId(), t.topicId(), p.partition());
                ShareStatePersister.Summary s = ShareStatePersister.Summary.of(e == Errors.NONE
                        ? store.read(new ShareStateRecords.Key(req.groupId(), t.topicId(), p.partition()), NOT_A_LEADER)
                        : new ShareStateStore.Read(e, null, null));
                out.partitions().add(new ReadShareGroupStateSummaryResponseData.PartitionResult()
                        .setPartition(p.partition()).setErrorCode(s.error().code()).setErrorMessage(message(s.error()))
                        .setStateEpoch(s.stateEpoch()).setLeaderEpoch(s.leaderEpoch()).setStartOffset(s.startOffset())
                        .setDeliveryCompleteCount(s.deliveryCompleteCount()));
            }
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }

    private CompletionStage<KafkaResponse> write(KafkaRequest request, ClientInfo client) {
        WriteShareGroupStateRequestData req = request.bodyAs(WriteShareGroupStateRequestData.class);
        WriteShareGroupStateResponseData resp = new WriteShareGroupStateResponseData();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (WriteShareGroupStateRequestData.WriteStateData t : req.topics()) {
            WriteShareGroupStateResponseData.WriteStateResult out =
                    new WriteShareGroupStateResponseData.WriteStateResult().setTopicId(t.topicId());
            resp.results().add(out);
            for (WriteShareGroupStateRequestData.PartitionData p : t.partitions()) {
                WriteShareGroupStateResponseData.PartitionResult r = new WriteShareGroupStateResponseData.PartitionResult()
                        .setPartition(p.partition());
                out.partitions().add(r);
                Errors e = check(req.groupId(), t.topicId(), p.partition());
                if (e != Errors.NONE) {
                    r.setErrorCode(e.code()).setErrorMessage(message(e));
                    continue;
                }
                List<SharePartition.StateBatch> batches;
                try {
                    batches = stateBatches(p);
                } catch (IllegalArgumentException bad) {
                    LOG.info("WriteShareGroupState refused for {}-{} of group {}: {}", t.topicId(), p.partition(),
                            req.groupId(), bad.getMessage());
                    r.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(bad.getMessage());
                    continue;
                }
                ShareStateRecords.Key key = new ShareStateRecords.Key(req.groupId(), t.topicId(), p.partition());
                writes.add(store.write(key, new ShareStateStore.Write(p.stateEpoch(), p.leaderEpoch(), p.startOffset(),
                        batches)).thenAccept(r::setErrorCode));
            }
        }
        return answerWhenDone(writes, resp);
    }

    /**
     * A write's runs; IllegalArgumentException for an unknown delivery state, a run that is empty or
     * starts below 0, or one that ends {@value #IN_FLIGHT_SPAN_MAX} or more past the start offset
     * (no leader holds that many records in flight, and a share-partition is built offset by offset).
     */
    private static List<SharePartition.StateBatch> stateBatches(WriteShareGroupStateRequestData.PartitionData p) {
        List<SharePartition.StateBatch> batches = new ArrayList<>();
        for (WriteShareGroupStateRequestData.StateBatch b : p.stateBatches()) {
            if (b.firstOffset() < 0 || b.lastOffset() < b.firstOffset()) {
                throw new IllegalArgumentException("state batch " + b.firstOffset() + "-" + b.lastOffset());
            }
            if (p.startOffset() >= 0 && b.lastOffset() - p.startOffset() >= IN_FLIGHT_SPAN_MAX) {
                throw new IllegalArgumentException("state batch " + b.firstOffset() + "-" + b.lastOffset()
                        + " ends more than " + IN_FLIGHT_SPAN_MAX + " offsets past the start offset " + p.startOffset());
            }
            batches.add(new SharePartition.StateBatch(b.firstOffset(), b.lastOffset(),
                    SharePartition.RecordState.forId(b.deliveryState()), b.deliveryCount()));
        }
        return batches;
    }

    private CompletionStage<KafkaResponse> initialize(KafkaRequest request, ClientInfo client) {
        InitializeShareGroupStateRequestData req = request.bodyAs(InitializeShareGroupStateRequestData.class);
        InitializeShareGroupStateResponseData resp = new InitializeShareGroupStateResponseData();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (InitializeShareGroupStateRequestData.InitializeStateData t : req.topics()) {
            InitializeShareGroupStateResponseData.InitializeStateResult out =
                    new InitializeShareGroupStateResponseData.InitializeStateResult().setTopicId(t.topicId());
            resp.results().add(out);
            for (InitializeShareGroupStateRequestData.PartitionData p : t.partitions()) {
                InitializeShareGroupStateResponseData.PartitionResult r =
                        new InitializeShareGroupStateResponseData.PartitionResult().setPartition(p.partition());
                out.partitions().add(r);
                Errors e = check(req.groupId(), t.topicId(), p.partition());
                if (e == Errors.NONE && p.startOffset() < 0) {
                    e = Errors.INVALID_REQUEST;
                }
                if (e != Errors.NONE) {
                    r.setErrorCode(e.code()).setErrorMessage(message(e));
                    continue;
                }
                ShareStateRecords.Key key = new ShareStateRecords.Key(req.groupId(), t.topicId(), p.partition());
                writes.add(store.initialize(key, p.stateEpoch(), p.startOffset()).thenAccept(r::setErrorCode));
            }
        }
        return answerWhenDone(writes, resp);
    }

    private CompletionStage<KafkaResponse> delete(KafkaRequest request, ClientInfo client) {
        DeleteShareGroupStateRequestData req = request.bodyAs(DeleteShareGroupStateRequestData.class);
        DeleteShareGroupStateResponseData resp = new DeleteShareGroupStateResponseData();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (DeleteShareGroupStateRequestData.DeleteStateData t : req.topics()) {
            DeleteShareGroupStateResponseData.DeleteStateResult out =
                    new DeleteShareGroupStateResponseData.DeleteStateResult().setTopicId(t.topicId());
            resp.results().add(out);
            for (DeleteShareGroupStateRequestData.PartitionData p : t.partitions()) {
                DeleteShareGroupStateResponseData.PartitionResult r =
                        new DeleteShareGroupStateResponseData.PartitionResult().setPartition(p.partition());
                out.partitions().add(r);
                Errors e = check(req.groupId(), t.topicId(), p.partition());
                if (e != Errors.NONE) {
                    r.setErrorCode(e.code()).setErrorMessage(message(e));
                    continue;
                }
                ShareStateRecords.Key key = new ShareStateRecords.Key(req.groupId(), t.topicId(), p.partition());
                writes.add(store.delete(key).thenAccept(r::setErrorCode));
            }
        }
        return answerWhenDone(writes, resp);
    }

    private static CompletionStage<KafkaResponse> answerWhenDone(List<CompletableFuture<Void>> writes,
                                                                 org.apache.kafka.common.protocol.ApiMessage resp) {
        // Each write sets its own partition's result; the response object is shared, so wait for all first.
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(x -> KafkaResponse.of(resp));
    }
}
