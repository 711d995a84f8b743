package io.sluice.server.group.share;

import io.sluice.server.group.consumer.ClusterTopics;
import io.sluice.metadata.image.TopicImage;
import io.sluice.replication.Partition;
import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.handler.Uuids;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeShareGroupOffsets v0-1, AlterShareGroupOffsets v0 and DeleteShareGroupOffsets v0 (what
 * {@code kafka-share-groups --describe / --reset-offsets / --delete-offsets} send), and the share
 * state part of DeleteGroups. Group checks run on the coordinator thread; the states are read and
 * written through the {@link ShareStatePersister}, at the share coordinators that hold them (a
 * coordinator that cannot answer fails the group with COORDINATOR_NOT_AVAILABLE, and the admin
 * client retries). Altering or deleting needs an empty group: NON_EMPTY_GROUP otherwise.
 * Thread-safe.
 */
public final class ShareOffsetsHandlers {

    private record GroupCheck(Errors error, int members) { }


    private final HandlerContext ctx;
    private final GroupCoordinator coordinator;
    private final SharePartitionManager manager;
    private final GroupShareStates states;
    /** share.version is at level 1, read at each request (UpdateFeatures changes it). */
    private final BooleanSupplier enabled;

    public ShareOffsetsHandlers(HandlerContext ctx, GroupCoordinator coordinator, SharePartitionManager manager,
                                BooleanSupplier enabled) {
        this.ctx = ctx;
        this.coordinator = coordinator;
        this.manager = manager;
        this.states = new GroupShareStates(ctx, manager.persister());
        this.enabled = enabled;
    }

    public final ApiHandler describe = this::describe;
    public final ApiHandler alter = this::alter;
    public final ApiHandler delete = this::delete;

    private CompletableFuture<GroupCheck> check(String groupId) {
        return coordinator.onShard(groupId, shard -> CompletableFuture.completedFuture(
                        shard.groups().get(groupId) != null ? new GroupCheck(Errors.GROUP_ID_NOT_FOUND, -1)
                                : new GroupCheck(Errors.NONE, shard.shareGroups().memberCount(groupId))),
                e -> new GroupCheck(e, -1));
    }

    private CompletionStage<KafkaResponse> describe(KafkaRequest request, ClientInfo client) {
        DescribeShareGroupOffsetsRequestData req = request.bodyAs(DescribeShareGroupOffsetsRequestData.class);
        List<CompletableFuture<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup>> parts =
                new ArrayList<>();
        for (DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g : req.groups()) {
            parts.add(enabled.getAsBoolean() ? check(g.groupId()).thenCompose(c -> describeGroup(g, c))
                    : CompletableFuture.completedFuture(groupError(g.groupId(), Errors.UNSUPPORTED_VERSION,
                            ShareGroupHandlers.disabledMessage())));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
            DescribeShareGroupOffsetsResponseData resp = new DescribeShareGroupOffsetsResponseData();
            parts.forEach(f -> resp.groups().add(f.join()));
            return KafkaResponse.of(resp);
        });
    }

    private static DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup groupError(
            String groupId, Errors e, String message) {
        return new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup().setGroupId(groupId)
                .setErrorCode(e.code()).setErrorMessage(message);
    }

    private CompletableFuture<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup> describeGroup(
            DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g, GroupCheck c) {
        if (c.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(groupError(g.groupId(), c.error(), null));
        }
        List<String> named = g.topics() == null ? null
                : g.topics().stream().map(DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic::topicName)
                        .toList();
        return states.of(g.groupId(), named).handle((found, t) -> {
            if (t != null) {
                return groupError(g.groupId(), GroupShareStates.errorOf(t), "share state not available: " + t.getMessage());
            }
            return describeGroup(g, c, found);
        });
    }

    private DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup describeGroup(
            DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g, GroupCheck c,
            Map<ShareStateRecords.Key, ShareStatePersister.Summary> states) {
        if (c.members() < 0 && states.isEmpty()) {
            return groupError(g.groupId(), Errors.GROUP_ID_NOT_FOUND, "Group " + g.groupId() + " not found.");
        }
        // Topic name -> partitions asked for; all with state when the request names none.
        Map<String, List<Integer>> asked = new TreeMap<>();
        if (g.topics() == null) {
            for (ShareStateRecords.Key k : states.keySet()) {
                ClusterTopics.Topic t = topic(k.topicId());
                if (t != null) {
                    asked.computeIfAbsent(t.name(), n -> new ArrayList<>()).add(k.partition());
                }
            }
            asked.values().forEach(l -> l.sort(null));
        } else {
            g.topics().forEach(t -> asked.put(t.topicName(), t.partitions()));
        }
        DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup out = groupError(g.groupId(),
                Errors.NONE, null);
        for (Map.Entry<String, List<Integer>> e : asked.entrySet()) {
            TopicImage t = ctx.metadata().image().topic(e.getKey());
            Uuid id = t == null ? Uuid.ZERO_UUID : Uuids.toKafka(t.topicId());
            DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic rt =
                    new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic()
                            .setTopicName(e.getKey()).setTopicId(id);
            for (int p : e.getValue()) {
                DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition rp =
                        new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition()
                                .setPartitionIndex(p).setStartOffset(-1).setLeaderEpoch(-1).setLag(-1);
                if (t == null || t.partition(p) == null) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    ShareStatePersister.Summary s = states.get(new ShareStateRecords.Key(g.groupId(), id, p));
                    if (s != null) {
                        rp.setStartOffset(s.startOffset()).setLeaderEpoch(s.leaderEpoch()).setLag(lag(t.name(), p, s));
                    }
                }
                rt.partitions().add(rp);
            }
            out.topics().add(rt);
        }
        return out;
    }

    /**
     * Records not yet delivered to completion: high watermark - start offset - done in-flight
     * records, from this broker's replica of the partition (its leader's high watermark, or a
     * follower's, which trails it by at most a fetch); -1 when it has none.
     */
    private long lag(String topic, int p, ShareStatePersister.Summary s) {
        Partition replica = ctx.replicas().partition(topic, p);
        if (replica == null || s.deliveryCompleteCount() < 0) {
            return -1;
        }
        return Math.max(0, replica.highWatermark() - s.startOffset() - s.deliveryCompleteCount());
    }

    private ClusterTopics.Topic topic(Uuid id) {
        TopicImage t = ctx.metadata().image().topic(new java.util.UUID(id.getMostSignificantBits(),
                id.getLeastSignificantBits()));
        return t == null ? null : new ClusterTopics.Topic(t.name(), id, t.partitionCount());
    }

    private CompletionStage<KafkaResponse> alter(KafkaRequest request, ClientInfo client) {
        AlterShareGroupOffsetsRequestData req = request.bodyAs(AlterShareGroupOffsetsRequestData.class);
        if (!enabled.getAsBoolean()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(new AlterShareGroupOffsetsResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setErrorMessage(ShareGroupHandlers.disabledMessage())));
        }
        return check(req.groupId()).thenCompose(c -> {
            AlterShareGroupOffsetsResponseData resp = new AlterShareGroupOffsetsResponseData();
            Errors groupError = c.error() != Errors.NONE ? c.error() : c.members() > 0 ? Errors.NON_EMPTY_GROUP : Errors.NONE;
            if (groupError != Errors.NONE) {
                return CompletableFuture.completedFuture(KafkaResponse.of(resp.setErrorCode(groupError.code())
                        .setErrorMessage(groupError == Errors.NON_EMPTY_GROUP ? "The group has active members." : null)));
            }
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic rt : req.topics()) {
                TopicImage t = ctx.metadata().image().topic(rt.topicName());
                AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic out =
                        new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic()
                                .setTopicName(rt.topicName())
                                .setTopicId(t == null ? Uuid.ZERO_UUID : Uuids.toKafka(t.topicId()));
                resp.responses().add(out);
                for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition rp : rt.partitions()) {
                    AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition op =
                            new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition()
                                    .setPartitionIndex(rp.partitionIndex());
                    out.partitions().add(op);
                    if (t == null || t.partition(rp.partitionIndex()) == null) {
                        op.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                        continue;
                    }
                    if (rp.startOffset() < 0) {
                        op.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("start offset must not be negative");
                        continue;
                    }
                    ShareStateRecords.Key key = new ShareStateRecords.Key(req.groupId(), out.topicId(), rp.partitionIndex());
                    writes.add(manager.reset(key, rp.startOffset())
                            .thenAccept(code -> op.setErrorCode(GroupShareStates.retriable(Errors.forCode(code)).code())));
                }
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(x -> KafkaResponse.of(resp));
        });
    }

    private CompletionStage<KafkaResponse> delete(KafkaRequest request, ClientInfo client) {
        DeleteShareGroupOffsetsRequestData req = request.bodyAs(DeleteShareGroupOffsetsRequestData.class);
        if (!enabled.getAsBoolean()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(new DeleteShareGroupOffsetsResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setErrorMessage(ShareGroupHandlers.disabledMessage())));
        }
        List<String> named = req.topics().stream()
                .map(DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic::topicName).toList();
        return check(req.groupId()).thenCompose(c -> c.error() != Errors.NONE
                ? CompletableFuture.completedFuture(KafkaResponse.of(new DeleteShareGroupOffsetsResponseData()
                        .setErrorCode(c.error().code())))
                : states.of(req.groupId(), named).thenCompose(found -> deleteStates(req, c, found)))
                .exceptionally(t -> KafkaResponse.of(new DeleteShareGroupOffsetsResponseData()
                        .setErrorCode(GroupShareStates.errorOf(t).code()).setErrorMessage("share state not available: " + t.getMessage())));
    }

    private CompletableFuture<KafkaResponse> deleteStates(DeleteShareGroupOffsetsRequestData req, GroupCheck c,
                                                          Map<ShareStateRecords.Key, ShareStatePersister.Summary> states) {
        DeleteShareGroupOffsetsResponseData resp = new DeleteShareGroupOffsetsResponseData();
        Errors groupError = c.members() < 0 && states.isEmpty() ? Errors.GROUP_ID_NOT_FOUND
                : c.members() > 0 ? Errors.NON_EMPTY_GROUP : Errors.NONE;
        if (groupError != Errors.NONE) {
            return CompletableFuture.completedFuture(KafkaResponse.of(resp.setErrorCode(groupError.code())));
        }
        states.keySet().forEach(manager::invalidate);
        return manager.persister().delete(req.groupId(), states.keySet()).thenApply(codes -> {
            for (DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic rt : req.topics()) {
                TopicImage t = ctx.metadata().image().topic(rt.topicName());
                DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic out =
                        new DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic()
                                .setTopicName(rt.topicName())
                                .setTopicId(t == null ? Uuid.ZERO_UUID : Uuids.toKafka(t.topicId()));
                resp.responses().add(out);
                if (t == null) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                codes.forEach((k, code) -> {
                    if (k.topicId().equals(out.topicId()) && code != Errors.NONE.code()) {
                        out.setErrorCode(GroupShareStates.retriable(Errors.forCode(code)).code());
                    }
                });
            }
            return KafkaResponse.of(resp);
        });
    }

    /**
     * DeleteGroups, after deleting the share state of each empty share group it names (as Kafka
     * does since KAFKA-18629): a group whose state could not be deleted is not deleted either, and
     * is answered with why (COORDINATOR_NOT_AVAILABLE while a share coordinator is away), so a group
     * id used again never inherits old state. Other groups go to DeleteGroups as they came.
     */
    public static ApiHandler withShareStateDeletion(ApiHandler deleteGroups, ShareOffsetsHandlers share) {
        return (request, client) -> {
            Map<String, CompletableFuture<Errors>> stateDeletions = new LinkedHashMap<>();
            for (String groupId : request.bodyAs(DeleteGroupsRequestData.class).groupsNames()) {
                stateDeletions.put(groupId, share.deleteStateOfEmptyShareGroup(groupId));
            }
            return CompletableFuture.allOf(stateDeletions.values().toArray(CompletableFuture[]::new)).thenCompose(x -> {
                List<String> deletable = new ArrayList<>();
                List<DeleteGroupsResponseData.DeletableGroupResult> refused = new ArrayList<>();
                stateDeletions.forEach((groupId, f) -> {
                    Errors e = f.join();
                    if (e == Errors.NONE) {
                        deletable.add(groupId);
                    } else {
                        refused.add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId)
                                .setErrorCode(e.code()).setErrorMessage("its share state could not be deleted: " + e.message()));
                    }
                });
                KafkaRequest rest = new KafkaRequest(request.apiKey(), request.apiVersion(), request.correlationId(),
                        request.clientId(), request.responseHeaderVersion(),
                        new DeleteGroupsRequestData().setGroupsNames(deletable));
                return deleteGroups.handle(rest, client).thenApply(r -> {
                    DeleteGroupsResponseData.DeletableGroupResultCollection results =
                            ((DeleteGroupsResponseData) r.body()).results();
                    refused.forEach(results::add);
                    return r;
                });
            });
        };
    }

    /**
     * Deletes the share state of {@code groupId} if it is a share group with no members; NONE when
     * done or when it is no such group (DeleteGroups then answers for it), else the error.
     */
    private CompletableFuture<Errors> deleteStateOfEmptyShareGroup(String groupId) {
        return check(groupId).thenCompose(c -> {
            if (c.error() != Errors.NONE || c.members() != 0
                    || ctx.metadata().image().topic(ShareGroupConfig.STATE_TOPIC) == null) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            List<ShareStateRecords.Key> keys = states.candidates(groupId, null);
            keys.forEach(manager::invalidate);
            return manager.persister().delete(groupId, keys).thenApply(codes -> codes.values().stream()
                    .map(Errors::forCode).filter(e -> e != Errors.NONE)
                    .map(GroupShareStates::retriable).findFirst().orElse(Errors.NONE));
        });
    }
}
