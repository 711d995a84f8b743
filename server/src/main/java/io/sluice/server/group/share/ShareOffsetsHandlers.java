package io.sluice.server.group.share;

import io.sluice.server.group.consumer.ClusterTopics;
import io.sluice.metadata.image.TopicImage;
import io.sluice.replication.Partition;
import io.sluice.server.group.GroupConfig;
import io.sluice.server.group.GroupCoordinator;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.handler.Uuids;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    private static final Set<String> INTERNAL_TOPICS = Set.of(GroupConfig.OFFSETS_TOPIC, ShareGroupConfig.STATE_TOPIC);

    private final HandlerContext ctx;
    private final GroupCoordinator coordinator;
    private final SharePartitionManager manager;
    /** share.version is at level 1, read at each request (UpdateFeatures changes it). */
    private final BooleanSupplier enabled;

    public ShareOffsetsHandlers(HandlerContext ctx, GroupCoordinator coordinator, SharePartitionManager manager,
                                BooleanSupplier enabled) {
        this.ctx = ctx;
        this.coordinator = coordinator;
        this.manager = manager;
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

    /**
     * The share-partitions of {@code topicNames} (every topic but the internal ones when null) in
     * the metadata. Sluice keeps no list of the share-partitions a group initialized (Kafka's
     * ShareGroupStatePartitionMetadata record), so a group's states are found by asking their
     * coordinators for every candidate: one ReadShareGroupStateSummary per coordinator broker.
     */
    private List<ShareStateRecords.Key> candidates(String groupId, Collection<String> topicNames) {
        List<ShareStateRecords.Key> keys = new ArrayList<>();
        MetadataImage image = ctx.metadata().image();
        Collection<TopicImage> topics = topicNames == null ? image.topics()
                : topicNames.stream().map(image::topic).filter(t -> t != null).toList();
        for (TopicImage t : topics) {
            if (topicNames == null && INTERNAL_TOPICS.contains(t.name())) {
                continue;
            }
            Uuid id = Uuids.toKafka(t.topicId());
            for (int p = 0; p < t.partitionCount(); p++) {
                keys.add(new ShareStateRecords.Key(groupId, id, p));
            }
        }
        return keys;
    }

    /**
     * The states of group {@code groupId} among {@code keys}; an unreachable coordinator fails the
     * whole lookup. None before {@code __share_group_state} exists (a lookup does not create it).
     */
    private CompletableFuture<Map<ShareStateRecords.Key, ShareStatePersister.Summary>> states(
            String groupId, List<ShareStateRecords.Key> keys) {
        if (ctx.metadata().image().topic(ShareGroupConfig.STATE_TOPIC) == null) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return manager.persister().summaries(groupId, keys).thenApply(all -> {
            Map<ShareStateRecords.Key, ShareStatePersister.Summary> out = new HashMap<>();
            for (Map.Entry<ShareStateRecords.Key, ShareStatePersister.Summary> e : all.entrySet()) {
                if (e.getValue().error() != Errors.NONE) {
                    throw new StateUnavailable(e.getValue().error());
                }
                if (e.getValue().exists()) {
                    out.put(e.getKey(), e.getValue());
                }
            }
            return out;
        });
    }

    /** A share coordinator could not answer for one of a group's share-partitions. */
    private static final class StateUnavailable extends RuntimeException {
        final Errors error;

        StateUnavailable(Errors error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    private static Errors unavailable(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause instanceof StateUnavailable u ? retriable(u.error) : Errors.COORDINATOR_NOT_AVAILABLE;
    }

    /** A coordinator that moved or is loading is, to an admin client, one not available yet: it retries. */
    private static Errors retriable(Errors e) {
        return e == Errors.NOT_COORDINATOR || e == Errors.COORDINATOR_LOAD_IN_PROGRESS ? Errors.COORDINATOR_NOT_AVAILABLE : e;
    }

    private CompletableFuture<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup> describeGroup(
            DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g, GroupCheck c) {
        if (c.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(groupError(g.groupId(), c.error(), null));
        }
        List<String> named = g.topics() == null ? null
                : g.topics().stream().map(DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic::topicName)
                        .toList();
        return states(g.groupId(), candidates(g.groupId(), named)).handle((states, t) -> {
            if (t != null) {
                return groupError(g.groupId(), unavailable(t), "share state not available: " + t.getMessage());
            }
            return describeGroup(g, c, states);
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
                            .thenAccept(code -> op.setErrorCode(retriable(Errors.forCode(code)).code())));
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
                : states(req.groupId(), candidates(req.groupId(), named)).thenCompose(states -> deleteStates(req, c, states)))
                .exceptionally(t -> KafkaResponse.of(new DeleteShareGroupOffsetsResponseData()
                        .setErrorCode(unavailable(t).code()).setErrorMessage("share state not available: " + t.getMessage())));
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
                        out.setErrorCode(retriable(Errors.forCode(code)).code());
                    }
                });
            }
            return KafkaResponse.of(resp);
        });
    }

    /**
     * DeleteGroups, followed for each share group it deleted by the deletion of that group's share
     * state, before the answer goes out. Which groups are share groups is asked first: the deletion
     * forgets it, and a classic or consumer group has no share state to delete.
     */
    public static ApiHandler withShareStateDeletion(ApiHandler deleteGroups, ShareOffsetsHandlers share) {
        return (request, client) -> {
            List<String> groupIds = request.bodyAs(DeleteGroupsRequestData.class).groupsNames();
            Map<String, CompletableFuture<GroupCheck>> checks = new HashMap<>();
            groupIds.forEach(g -> checks.put(g, share.check(g)));
            return CompletableFuture.allOf(checks.values().toArray(CompletableFuture[]::new))
                    .thenCompose(x -> deleteGroups.handle(request, client)).thenCompose(r -> {
                        List<CompletableFuture<Void>> deletions = new ArrayList<>();
                        for (DeleteGroupsResponseData.DeletableGroupResult g : ((DeleteGroupsResponseData) r.body()).results()) {
                            GroupCheck c = checks.get(g.groupId()).join();
                            if (g.errorCode() == Errors.NONE.code() && c.error() == Errors.NONE && c.members() >= 0) {
                                deletions.add(share.deleteGroupState(g.groupId()));
                            }
                        }
                        return CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new)).thenApply(x -> r);
                    });
        };
    }

    /** DeleteGroups deleted share group {@code groupId}: its share-partition states go too. */
    public CompletableFuture<Void> deleteGroupState(String groupId) {
        if (ctx.metadata().image().topic(ShareGroupConfig.STATE_TOPIC) == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<ShareStateRecords.Key> keys = candidates(groupId, null);
        keys.forEach(manager::invalidate);
        return manager.persister().delete(groupId, keys).thenAccept(codes -> { });
    }
}
