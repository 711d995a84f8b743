package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.BufferReader;
import io.sluice.metadata.codec.CommandCodec;
import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.codec.ResultCodec;
import io.sluice.metadata.command.AllocateProducerIds;
import io.sluice.metadata.command.AlterClientQuotas;
import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.CommandResult;
import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.DeleteTopics;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.command.UnregisterBroker;
import io.sluice.metadata.command.UpdateFeatures;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataDelta;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * The deterministic heart of the state machine: (image, entry) → (next image, delta, result).
 * Reads nothing but its arguments, so voters, brokers following the log and tests all compute the
 * same image. A malformed entry or an unknown command version is rejected with INVALID_REQUEST or
 * UNSUPPORTED_VERSION and leaves the image's content unchanged (only its offset moves).
 * Stateless, thread-safe.
 */
public final class MetadataApplier {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataApplier.class);

    private MetadataApplier() {
    }

    /**
     * The outcome of one entry.
     *
     * @param image   the image after the entry
     * @param delta   what changed
     * @param result  the encoded result for the submitter ({@link ResultCodec})
     * @param command the decoded command, or null when the entry was malformed
     */
    public record Applied(MetadataImage image, MetadataDelta delta, byte[] result, MetadataCommand<?> command) {
    }

    /** Applies a stamped log entry ({@link EntryDescriptor}) at {@code offset}/{@code term}. */
    public static Applied applyEntry(MetadataImage image, long offset, long term, byte[] entry) {
        BufferReader r = new BufferReader(entry);
        EntryDescriptor.Header h;
        MetadataCommand<?> command;
        try {
            h = EntryDescriptor.readHeader(r);
            command = CommandCodec.decode(r);
        } catch (MalformedRecordException e) {
            LOG.warn("rejected metadata entry at offset {}: {}", offset, e.getMessage());
            MetadataImage next = new ImageBuilder(image).position(offset, term).build();
            return new Applied(next, emptyDelta(offset), ResultCodec.encodeFailure(e.errorCode(), e.getMessage()), null);
        }
        return apply(image, offset, term, h, command);
    }

    /** Applies a decoded command with the given header values (tests and the model use this directly). */
    public static Applied apply(MetadataImage image, long offset, long term, EntryDescriptor.Header h,
                                MetadataCommand<?> command) {
        ImageBuilder b = new ImageBuilder(image).position(offset, term);
        long nowMs = Math.max(image.leaderTimeMs(), h.leaderTimeMs());
        b.leaderTimeMs(nowMs);
        ApplyContext ctx = new ApplyContext(b, offset, nowMs, h.seed(), h.sessionTimeoutMs());
        CommandResult result = dispatch(ctx, command);
        return new Applied(b.build(), ctx.delta.build(offset), ResultCodec.encode(command.type(), result), command);
    }

    private static CommandResult dispatch(ApplyContext ctx, MetadataCommand<?> command) {
        switch (command.type()) {
            case REGISTER_BROKER:
                return BrokerCommands.register(ctx, (RegisterBroker) command);
            case BROKER_HEARTBEAT:
                return BrokerCommands.heartbeat(ctx, (BrokerHeartbeat) command);
            case UNREGISTER_BROKER:
                return BrokerCommands.unregister(ctx, ((UnregisterBroker) command).brokerId());
            case CREATE_TOPICS:
                return TopicCommands.createTopics(ctx, (CreateTopics) command);
            case DELETE_TOPICS:
                return TopicCommands.deleteTopics(ctx, (DeleteTopics) command);
            case CREATE_PARTITIONS:
                return TopicCommands.createPartitions(ctx, (CreatePartitions) command);
            case ALTER_CONFIGS:
                return ConfigCommands.alterConfigs(ctx, (AlterConfigs) command);
            case ALTER_PARTITION:
                return PartitionCommands.alterPartition(ctx, (AlterPartition) command);
            case ELECT_LEADERS:
                return PartitionCommands.electLeaders(ctx, (ElectLeaders) command);
            case ALLOCATE_PRODUCER_IDS:
                return BrokerCommands.allocateProducerIds(ctx, (AllocateProducerIds) command);
            case FENCE_EXPIRED_BROKERS:
                return BrokerCommands.fenceExpired(ctx, (FenceExpiredBrokers) command);
            case UPDATE_FEATURES:
                return BrokerCommands.updateFeatures(ctx, (UpdateFeatures) command);
            case ALTER_CLIENT_QUOTAS:
                return ClientQuotaCommands.alter(ctx, (AlterClientQuotas) command);
            default:
                throw new IllegalStateException("no handler for " + command.type());
        }
    }

    private static MetadataDelta emptyDelta(long offset) {
        return new MetadataDelta(offset, false, Set.of(), List.<TopicImage>of(), List.of(), Set.of(), false);
    }
}
