package io.sluice.metadata.command;

import io.sluice.metadata.image.PartitionImage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A partition leader changes its ISR (Kafka's AlterPartition, KIP-497). Guarded: the sender must be
 * the current leader (else NOT_LEADER_OR_FOLLOWER), at the current leader epoch (else
 * FENCED_LEADER_EPOCH) and partition epoch (else INVALID_UPDATE_VERSION); the new ISR must be
 * replicas that contain the leader (else INVALID_REQUEST) and are registered, unfenced and, where
 * the leader names a member's broker epoch, at that epoch (else INELIGIBLE_REPLICA). The epochs are
 * Kafka's AlterPartition v3 {@code newIsrWithEpochs} (KIP-903): a replica that restarted (a new
 * registration) after the fetch that made it look caught up may have lost what it had, so it must
 * not join on the strength of that fetch.
 */
public record AlterPartition(int brokerId, long brokerEpoch, List<IsrChange> changes)
    implements MetadataCommand<AlterPartition.Result> {

    public AlterPartition {
        changes = List.copyOf(changes);
    }

    @Override
    public CommandType type() {
        return CommandType.ALTER_PARTITION;
    }

    @Override
    public Result failed(short errorCode, String message) {
        List<PartitionOutcome> out = new ArrayList<>();
        changes.forEach(c -> out.add(new PartitionOutcome(c.topicId(), c.partition(), errorCode, message, null)));
        return new Result(errorCode, message, out);
    }

    /**
     * One partition's change.
     *
     * @param newIsrBrokerEpochs the broker epoch of each {@code newIsr} member, same order, as the
     *                           leader learned it from the member's fetches; {@link #UNKNOWN_BROKER_EPOCH}
     *                           skips the check for that member (Kafka's -1)
     */
    public record IsrChange(UUID topicId, int partition, int leaderEpoch, int partitionEpoch, int[] newIsr,
                            long[] newIsrBrokerEpochs) {
        /** Kafka's "no broker epoch given": the member's epoch is not checked. */
        public static final long UNKNOWN_BROKER_EPOCH = -1;

        public IsrChange {
            Objects.requireNonNull(topicId, "topicId");
            newIsr = newIsr.clone();
            newIsrBrokerEpochs = newIsrBrokerEpochs.clone();
            if (newIsr.length != newIsrBrokerEpochs.length) {
                throw new IllegalArgumentException("ISR " + Arrays.toString(newIsr) + " and broker epochs "
                    + Arrays.toString(newIsrBrokerEpochs) + " differ in length");
            }
        }

        /** A change that names no member's broker epoch (a shrink, or a version 0 entry). */
        public IsrChange(UUID topicId, int partition, int leaderEpoch, int partitionEpoch, int[] newIsr) {
            this(topicId, partition, leaderEpoch, partitionEpoch, newIsr, unknownEpochs(newIsr.length));
        }

        private static long[] unknownEpochs(int n) {
            long[] epochs = new long[n];
            Arrays.fill(epochs, UNKNOWN_BROKER_EPOCH);
            return epochs;
        }

        @Override
        public int[] newIsr() {
            return newIsr.clone();
        }

        @Override
        public long[] newIsrBrokerEpochs() {
            return newIsrBrokerEpochs.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IsrChange c && topicId.equals(c.topicId) && partition == c.partition
                && leaderEpoch == c.leaderEpoch && partitionEpoch == c.partitionEpoch
                && Arrays.equals(newIsr, c.newIsr) && Arrays.equals(newIsrBrokerEpochs, c.newIsrBrokerEpochs);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topicId, partition, leaderEpoch, partitionEpoch, Arrays.hashCode(newIsr),
                Arrays.hashCode(newIsrBrokerEpochs));
        }

        @Override
        public String toString() {
            return "IsrChange{" + topicId + "-" + partition + " leaderEpoch=" + leaderEpoch + " partitionEpoch="
                + partitionEpoch + " newIsr=" + Arrays.toString(newIsr) + " brokerEpochs="
                + Arrays.toString(newIsrBrokerEpochs) + '}';
        }
    }

    /** @param partitionState the partition after the change (or as it is, on error); null if unknown */
    public record PartitionOutcome(UUID topicId, int partition, short errorCode, String errorMessage,
                                   PartitionImage partitionState) {
    }

    public record Result(short errorCode, String errorMessage, List<PartitionOutcome> partitions)
        implements CommandResult {
        public Result {
            partitions = List.copyOf(partitions);
        }
    }
}
