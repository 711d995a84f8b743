package io.sluice.server.group;

import io.sluice.metadata.image.PartitionImage;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.group.handler.AdminHandlers;
import io.sluice.server.group.handler.ConsumerGroupHandlers;
import io.sluice.server.group.handler.FindCoordinatorHandler;
import io.sluice.server.group.handler.MembershipHandlers;
import io.sluice.server.group.handler.OffsetHandlers;
import io.sluice.server.group.log.PartitionGroupLog;
import io.sluice.server.group.runtime.GroupConfigLookup;
import io.sluice.server.group.share.ShareGroupConfig;
import io.sluice.server.group.share.ShareGroupHandlers;
import io.sluice.server.group.share.ShareOffsetsHandlers;
import io.sluice.server.group.share.SharePartitionApis;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.protocol.FeatureLevels;
import io.sluice.replication.Partition;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The broker's group coordinator and the handlers of the group APIs, built once by the broker:
 * {@code GroupApis.start(ctx)}, then {@link #handlers()} go to the dispatcher and {@link #close()}
 * runs at shutdown. The coordinator's partitions of {@code __consumer_offsets} are those the
 * broker's ReplicaManager leads. Thread-safe.
 */
public final class GroupApis implements AutoCloseable {

    private final GroupCoordinator coordinator;
    private final SharePartitionApis sharePartitions;
    private final Map<Short, ApiHandler> handlers;

    private GroupApis(GroupCoordinator coordinator, SharePartitionApis sharePartitions, Map<Short, ApiHandler> handlers) {
        this.coordinator = coordinator;
        this.sharePartitions = sharePartitions;
        this.handlers = handlers;
    }

    public static GroupApis start(HandlerContext ctx) {
        GroupConfig config = GroupConfig.from(ctx.config());
        ShareGroupConfig shareConfig = ShareGroupConfig.from(ctx.config());
        GroupConfigLookup groupConfigs = groupId -> ctx.metadata().image().groupConfigs().getOrDefault(groupId, Map.of());
        GroupCoordinator coordinator = new GroupCoordinator(config, shareConfig, () -> ctx.clock().millis(),
                new GroupCoordinator.OffsetsPartitions() {
                    @Override
                    public Led lookup(int p) {
                        Partition partition = ctx.replicas().leader(GroupConfig.OFFSETS_TOPIC, p, -1).partition();
                        if (partition == null) {
                            return null;
                        }
                        PartitionGroupLog log = new PartitionGroupLog(partition, () -> ctx.clock().millis(),
                                config.offsetsTopicCompressionCodec());
                        return new Led(log, log.leadership());
                    }

                    @Override
                    public boolean ledHereByMetadata(int p) {
                        PartitionImage image = ctx.metadata().image().partition(GroupConfig.OFFSETS_TOPIC, p);
                        return image != null && image.leader() == ctx.nodeId();
                    }
                }, new MetadataClusterTopics(() -> ctx.metadata().image()), groupConfigs);
        Map<Short, ApiHandler> h = new HashMap<>();
        MembershipHandlers membership = new MembershipHandlers(coordinator);
        OffsetHandlers offsets = new OffsetHandlers(ctx, coordinator);
        AdminHandlers admin = new AdminHandlers(coordinator);
        int shareVersionFloor = ctx.config().getInt(ServerConfigDef.SHARE_VERSION);
        BooleanSupplier shareEnabled = () ->
                FeatureLevels.shareVersion(shareVersionFloor, ctx.metadata().image().finalizedFeatures()) >= 1;
        SharePartitionApis sharePartitions = new SharePartitionApis(ctx, shareConfig, groupConfigs, shareEnabled);
        ShareOffsetsHandlers shareOffsets = new ShareOffsetsHandlers(ctx, coordinator, sharePartitions.manager,
                shareEnabled);
        h.put(ApiKeys.FIND_COORDINATOR.id, new FindCoordinatorHandler(ctx, config, shareConfig));
        h.put(ApiKeys.JOIN_GROUP.id, membership.joinGroup);
        h.put(ApiKeys.SYNC_GROUP.id, membership.syncGroup);
        h.put(ApiKeys.HEARTBEAT.id, membership.heartbeat);
        h.put(ApiKeys.LEAVE_GROUP.id, membership.leaveGroup);
        h.put(ApiKeys.OFFSET_COMMIT.id, offsets.offsetCommit);
        h.put(ApiKeys.OFFSET_FETCH.id, offsets.offsetFetch);
        h.put(ApiKeys.OFFSET_DELETE.id, offsets.offsetDelete);
        h.put(ApiKeys.LIST_GROUPS.id, admin.listGroups);
        h.put(ApiKeys.DESCRIBE_GROUPS.id, admin.describeGroups);
        h.put(ApiKeys.DELETE_GROUPS.id, ShareOffsetsHandlers.withShareStateDeletion(admin.deleteGroups, shareOffsets));
        ShareGroupHandlers share = new ShareGroupHandlers(coordinator, shareEnabled);
        h.put(ApiKeys.SHARE_GROUP_HEARTBEAT.id, share.heartbeat);
        h.put(ApiKeys.SHARE_GROUP_DESCRIBE.id, share.describe);
        h.put(ApiKeys.SHARE_FETCH.id, sharePartitions.shareFetch);
        h.put(ApiKeys.SHARE_ACKNOWLEDGE.id, sharePartitions.shareAcknowledge);
        h.put(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS.id, shareOffsets.describe);
        h.put(ApiKeys.ALTER_SHARE_GROUP_OFFSETS.id, shareOffsets.alter);
        h.put(ApiKeys.DELETE_SHARE_GROUP_OFFSETS.id, shareOffsets.delete);
        h.put(ApiKeys.INITIALIZE_SHARE_GROUP_STATE.id, sharePartitions.coordinator.initialize);
        h.put(ApiKeys.READ_SHARE_GROUP_STATE.id, sharePartitions.coordinator.read);
        h.put(ApiKeys.WRITE_SHARE_GROUP_STATE.id, sharePartitions.coordinator.write);
        h.put(ApiKeys.DELETE_SHARE_GROUP_STATE.id, sharePartitions.coordinator.delete);
        h.put(ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY.id, sharePartitions.coordinator.readSummary);
        ConsumerGroupHandlers consumerGroups = new ConsumerGroupHandlers(coordinator);
        h.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id, consumerGroups.heartbeat);
        h.put(ApiKeys.CONSUMER_GROUP_DESCRIBE.id, consumerGroups.describe);
        coordinator.start();
        return new GroupApis(coordinator, sharePartitions, Collections.unmodifiableMap(h));
    }

    /** Handler per api key, for the request dispatcher. */
    public Map<Short, ApiHandler> handlers() {
        return handlers;
    }

    public GroupCoordinator coordinator() {
        return coordinator;
    }

    @Override
    public void close() {
        coordinator.close();
        sharePartitions.close();
    }
}
