package io.sluice.metadata.command;

/**
 * Hands a broker the next block of producer ids (Kafka's AllocateProducerIds, KIP-730).
 * Blocks are {@link #BLOCK_SIZE} ids, never reused.
 */
public record AllocateProducerIds(int brokerId, long brokerEpoch) implements MetadataCommand<AllocateProducerIds.Result> {
    /** Ids per block, as Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE. */
    public static final int BLOCK_SIZE = 1000;

    @Override
    public CommandType type() {
        return CommandType.ALLOCATE_PRODUCER_IDS;
    }

    @Override
    public Result failed(short errorCode, String message) {
        return new Result(errorCode, message, -1, 0);
    }

    /** The block {@code [firstProducerId, firstProducerId + blockSize)}. */
    public record Result(short errorCode, String errorMessage, long firstProducerId, int blockSize)
        implements CommandResult {
    }
}
