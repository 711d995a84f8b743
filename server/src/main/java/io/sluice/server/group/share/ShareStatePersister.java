package io.sluice.server.group.share;

import io.sluice.server.network.InterBrokerSender;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
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
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteShareGroupStateRequest;
import org.apache.kafka.common.requests.DeleteShareGroupStateResponse;
import org.apache.kafka.common.requests.InitializeShareGroupStateRequest;
import org.apache.kafka.common.requests.InitializeShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateResponse;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateSummaryResponse;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-partition state wherever its share coordinator is (Kafka's DefaultStatePersister): the
 * local {@link ShareStateStore} when this broker leads the key's partition of
 * {@code __share_group_state} (or it has no leader yet: the store then answers that it is
 * loading), else that partition's leader, through Read/Write/Initialize/DeleteShareGroupState and
 * ReadShareGroupStateSummary on the inter-broker listener. Requests to one broker keep their order,
 * so a share-partition's writes land in the order it made them. A coordinator that cannot be
 * reached answers COORDINATOR_NOT_AVAILABLE, and one that no longer leads the partition
 * NOT_COORDINATOR; the caller retries later, by when the metadata names the new leader.
 * Thread-safe.
 */
public final class ShareStatePersister {

    private static final Logger LOG = LoggerFactory.getLogger(ShareStatePersister.class);
    private static final short WRITE_VERSION = 1;
    private static final short SUMMARY_VERSION = 1;

    /** What ReadShareGroupStateSummary says of a share-partition; {@code startOffset} -1: it has no state. */
    public record Summary(Errors error, int stateEpoch, int leaderEpoch, long startOffset, int deliveryCompleteCount) {
        static Summary of(ShareStateStore.Read r) {
            ShareStateRecords.Snapshot s = r.snapshot();
            if (r.error() != Errors.NONE || s == null) {
                return new Summary(r.error(), 0, -1, -1, -1);
            }
            int done = 0;
            for (SharePartition.StateBatch b : s.batches()) {
                if (b.state().isDone()) {
                    done += (int) (b.lastOffset() - b.firstOffset() + 1);
                }
            }
            return new Summary(Errors.NONE, s.stateEpoch(), s.leaderEpoch(), s.startOffset(), done);
        }

        public boolean exists() {
            return error == Errors.NONE && startOffset >= 0;
        }
    }

    private final ShareStateStore store;
    private final InterBrokerSender sender;

    public ShareStatePersister(ShareStateStore store, InterBrokerSender sender) {
        this.store = store;
        this.sender = sender;
    }

    /** The broker whose share coordinator holds the state of {@code k} (this one's id when it is here). */
    public int coordinatorOf(ShareStateRecords.Key k) {
        return store.coordinatorOf(k);
    }

    /** The state of {@code k} for its topic partition's leader at {@code leaderEpoch}. */
    public CompletableFuture<ShareStateStore.Read> read(ShareStateRecords.Key k, int leaderEpoch) {
        int coordinator = store.coordinatorOf(k);
        if (coordinator == store.nodeId()) {
            return CompletableFuture.completedFuture(store.read(k, leaderEpoch));
        }
        ReadShareGroupStateRequestData data = new ReadShareGroupStateRequestData().setGroupId(k.groupId())
                .setTopics(List.of(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(k.topicId())
                        .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData()
                                .setPartition(k.partition()).setLeaderEpoch(leaderEpoch)))));
        return send(coordinator, new ReadShareGroupStateRequest.Builder(data).build((short) 0),
                r -> {
                    ReadShareGroupStateResponseData.PartitionResult p =
                            ((ReadShareGroupStateResponse) r).data().results().get(0).partitions().get(0);
                    if (p.errorCode() != Errors.NONE.code()) {
                        return new ShareStateStore.Read(Errors.forCode(p.errorCode()), p.errorMessage(), null);
                    }
                    if (p.startOffset() < 0) {
                        return new ShareStateStore.Read(Errors.NONE, null, null);
                    }
                    List<SharePartition.StateBatch> batches = new ArrayList<>();
                    for (ReadShareGroupStateResponseData.StateBatch b : p.stateBatches()) {
                        batches.add(new SharePartition.StateBatch(b.firstOffset(), b.lastOffset(),
                                SharePartition.RecordState.forId(b.deliveryState()), b.deliveryCount()));
                    }
                    // ReadShareGroupState carries no snapshot epoch or timestamps: -1 stands for them.
                    return new ShareStateStore.Read(Errors.NONE, null, new ShareStateRecords.Snapshot(-1,
                            p.stateEpoch(), leaderEpoch, p.startOffset(), -1, -1, batches));
                },
                e -> new ShareStateStore.Read(e, "share coordinator " + coordinator + " not reachable", null));
    }

    /** Writes a share-partition leader's state of {@code k}; the future holds a Kafka error code. */
    public CompletableFuture<Short> write(ShareStateRecords.Key k, ShareStateStore.Write w) {
        int coordinator = store.coordinatorOf(k);
        if (coordinator == store.nodeId()) {
            return store.write(k, w);
        }
        WriteShareGroupStateRequestData.PartitionData p = new WriteShareGroupStateRequestData.PartitionData()
                .setPartition(k.partition()).setStateEpoch(w.stateEpoch()).setLeaderEpoch(w.leaderEpoch())
                .setStartOffset(w.startOffset());
        for (SharePartition.StateBatch b : w.batches()) {
            p.stateBatches().add(new WriteShareGroupStateRequestData.StateBatch().setFirstOffset(b.firstOffset())
                    .setLastOffset(b.lastOffset()).setDeliveryState(b.state().id).setDeliveryCount(b.deliveryCount()));
        }
        WriteShareGroupStateRequestData data = new WriteShareGroupStateRequestData().setGroupId(k.groupId())
                .setTopics(List.of(new WriteShareGroupStateRequestData.WriteStateData().setTopicId(k.topicId())
                        .setPartitions(List.of(p))));
        return send(coordinator, new WriteShareGroupStateRequest.Builder(data).build(WRITE_VERSION),
                r -> ((WriteShareGroupStateResponse) r).data().results().get(0).partitions().get(0).errorCode(),
                Errors::code);
    }

    /** Starts the state of {@code k} afresh at {@code startOffset} under {@code stateEpoch}. */
    public CompletableFuture<Short> initialize(ShareStateRecords.Key k, int stateEpoch, long startOffset) {
        int coordinator = store.coordinatorOf(k);
        if (coordinator == store.nodeId()) {
            return store.initialize(k, stateEpoch, startOffset);
        }
        InitializeShareGroupStateRequestData data = new InitializeShareGroupStateRequestData().setGroupId(k.groupId())
                .setTopics(List.of(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(k.topicId())
                        .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData()
                                .setPartition(k.partition()).setStateEpoch(stateEpoch).setStartOffset(startOffset)))));
        return send(coordinator, new InitializeShareGroupStateRequest.Builder(data).build((short) 0),
                r -> {
                    InitializeShareGroupStateResponseData d = ((InitializeShareGroupStateResponse) r).data();
                    return d.results().get(0).partitions().get(0).errorCode();
                }, Errors::code);
    }

    /** The state summaries of the share-partitions {@code keys} of group {@code groupId}, one request per coordinator. */
    public CompletableFuture<Map<ShareStateRecords.Key, Summary>> summaries(String groupId,
                                                                          Collection<ShareStateRecords.Key> keys) {
        Map<ShareStateRecords.Key, Summary> out = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> remote = new ArrayList<>();
        byCoordinator(keys).forEach((coordinator, ks) -> {
            if (coordinator == store.nodeId()) {
                ks.forEach(k -> out.put(k, Summary.of(store.read(k, -1))));
                return;
            }
            ReadShareGroupStateSummaryRequestData data = new ReadShareGroupStateSummaryRequestData().setGroupId(groupId);
            byTopic(ks).forEach((topicId, partitions) -> data.topics().add(
                    new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(topicId)
                            .setPartitions(partitions.stream().map(p -> new ReadShareGroupStateSummaryRequestData
                                    .PartitionData().setPartition(p).setLeaderEpoch(-1)).toList())));
            remote.add(send(coordinator, new ReadShareGroupStateSummaryRequest.Builder(data).build(SUMMARY_VERSION),
                    r -> {
                        for (ReadShareGroupStateSummaryResponseData.ReadStateSummaryResult t
                                : ((ReadShareGroupStateSummaryResponse) r).data().results()) {
                            for (ReadShareGroupStateSummaryResponseData.PartitionResult p : t.partitions()) {
                                out.put(new ShareStateRecords.Key(groupId, t.topicId(), p.partition()),
                                        new Summary(Errors.forCode(p.errorCode()), p.stateEpoch(), p.leaderEpoch(),
                                                p.startOffset(), p.deliveryCompleteCount()));
                            }
                        }
                        return null;
                    },
                    e -> {
                        ks.forEach(k -> out.put(k, new Summary(e, 0, -1, -1, -1)));
                        return null;
                    }));
        });
        return CompletableFuture.allOf(remote.toArray(CompletableFuture[]::new)).thenApply(x -> Map.copyOf(out));
    }

    /** Deletes the states of {@code keys} of group {@code groupId}; each key's error code. */
    public CompletableFuture<Map<ShareStateRecords.Key, Short>> delete(String groupId,
                                                                      Collection<ShareStateRecords.Key> keys) {
        Map<ShareStateRecords.Key, Short> out = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        byCoordinator(keys).forEach((coordinator, ks) -> {
            if (coordinator == store.nodeId()) {
                ks.forEach(k -> pending.add(store.delete(k).thenAccept(code -> out.put(k, code))));
                return;
            }
            DeleteShareGroupStateRequestData data = new DeleteShareGroupStateRequestData().setGroupId(groupId);
            byTopic(ks).forEach((topicId, partitions) -> data.topics().add(
                    new DeleteShareGroupStateRequestData.DeleteStateData().setTopicId(topicId)
                            .setPartitions(partitions.stream().map(p -> new DeleteShareGroupStateRequestData
                                    .PartitionData().setPartition(p)).toList())));
            pending.add(send(coordinator, new DeleteShareGroupStateRequest.Builder(data).build((short) 0),
                    r -> {
                        for (DeleteShareGroupStateResponseData.DeleteStateResult t
                                : ((DeleteShareGroupStateResponse) r).data().results()) {
                            for (DeleteShareGroupStateResponseData.PartitionResult p : t.partitions()) {
                                out.put(new ShareStateRecords.Key(groupId, t.topicId(), p.partition()), p.errorCode());
                            }
                        }
                        return null;
                    },
                    e -> {
                        ks.forEach(k -> out.put(k, e.code()));
                        return null;
                    }));
        });
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(x -> Map.copyOf(out));
    }

    private Map<Integer, List<ShareStateRecords.Key>> byCoordinator(Collection<ShareStateRecords.Key> keys) {
        Map<Integer, List<ShareStateRecords.Key>> out = new LinkedHashMap<>();
        for (ShareStateRecords.Key k : keys) {
            out.computeIfAbsent(store.coordinatorOf(k), c -> new ArrayList<>()).add(k);
        }
        return out;
    }

    private static Map<Uuid, List<Integer>> byTopic(List<ShareStateRecords.Key> keys) {
        Map<Uuid, List<Integer>> out = new LinkedHashMap<>();
        keys.forEach(k -> out.computeIfAbsent(k.topicId(), t -> new ArrayList<>()).add(k.partition()));
        return out;
    }


    /**
     * Sends {@code request} to the share coordinator on broker {@code coordinator}: its answer
     * through {@code onResponse}, or, when it could not be sent or answered, {@code onFailure} of
     * COORDINATOR_NOT_AVAILABLE.
     */
    private <T> CompletableFuture<T> send(int coordinator, AbstractRequest request,
                                          Function<AbstractResponse, T> onResponse, Function<Errors, T> onFailure) {
        return sender.send(coordinator, request).handle((r, t) -> {
            if (t != null) {
                LOG.info("{} to the share coordinator on broker {} failed: {}", request.apiKey().name, coordinator,
                        t.toString());
                return onFailure.apply(Errors.COORDINATOR_NOT_AVAILABLE);
            }
            return onResponse.apply(r);
        });
    }

}
