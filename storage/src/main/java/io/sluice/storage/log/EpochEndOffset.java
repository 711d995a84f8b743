package io.sluice.storage.log;

/**
 * OffsetForLeaderEpoch answer (KIP-101/KIP-279): the largest epoch at or below the one asked for,
 * and the offset where it ends (the start offset of the next epoch, or the log end offset).
 *
 * @param epoch     the epoch found, {@link #UNDEFINED_EPOCH} if none
 * @param endOffset its end offset, {@link #UNDEFINED_EPOCH_OFFSET} if none
 */
public record EpochEndOffset(int epoch, long endOffset) {
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_EPOCH_OFFSET = -1L;
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
}
