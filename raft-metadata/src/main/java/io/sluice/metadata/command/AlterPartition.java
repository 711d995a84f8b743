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
 * replicas that are registered and unfenced, and contain the leader (else INELIGIBLE_REPLICA).
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

    public record IsrChange(UUID topicId, int partition, int leaderEpoch, int partitionEpoch, int[] newIsr) {
        public IsrChange {
            Objects.requireNonNull(topicId, "topicId");
            newIsr = newIsr.clone();
        }

        @Override
        public int[] newIsr() {
            return newIsr.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IsrChange c && topicId.equals(c.topicId) && partition == c.partition
                && leaderEpoch == c.leaderEpoch && partitionEpoch == c.partitionEpoch
                && Arrays.equals(newIsr, c.newIsr);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topicId, partition, leaderEpoch, partitionEpoch, Arrays.hashCode(newIsr));
        }

        @Override
        public String toString() {
            return "IsrChange{" + topicId + "-" + partition + " leaderEpoch=" + leaderEpoch + " partitionEpoch="
                + partitionEpoch + " newIsr=" + Arrays.toString(newIsr) + '}';
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
