package io.sluice.metadata.command;

/**
 * A change to the cluster metadata, submitted to the quorum and applied deterministically by every
 * replica. Each command is a small versioned binary record ({@link io.sluice.metadata.codec.CommandCodec});
 * no Java serialization. Immutable, thread-safe.
 *
 * @param <R> the result the quorum answers with
 */
public sealed interface MetadataCommand<R extends CommandResult>
    permits RegisterBroker, BrokerHeartbeat, UnregisterBroker, CreateTopics, DeleteTopics, CreatePartitions,
    AlterConfigs, AlterPartition, ElectLeaders, AllocateProducerIds, FenceExpiredBrokers, UpdateFeatures,
    AlterClientQuotas {

    CommandType type();

    /**
     * The result to hand back when the command could not be applied at all (timeout, no quorum,
     * malformed): every item carries {@code errorCode}.
     */
    R failed(short errorCode, String message);
}
