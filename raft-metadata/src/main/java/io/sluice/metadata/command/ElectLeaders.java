package io.sluice.metadata.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Leader election on request (Kafka's ElectLeaders, KIP-460). PREFERRED moves leadership to the
 * first replica when it is in the ISR and unfenced; UNCLEAN gives a leaderless partition a leader
 * from any live replica (only where the topic allows unclean election or this type is asked for
 * explicitly, as Kafka does). {@code allPartitions} = every partition of every topic.
 *
 * <p>The quorum leader's automatic leader rebalance ({@code auto.leader.rebalance.enable}) is a
 * PREFERRED election over all partitions with {@code imbalancePerBrokerPercentage} set (version 1):
 * apply then elects only the partitions of brokers whose leader imbalance exceeds it (see
 * {@code LeaderImbalance}), so every voter decides from the image alone.
 */
public record ElectLeaders(ElectionType electionType, boolean allPartitions, List<PartitionRef> partitions,
                           int imbalancePerBrokerPercentage)
    implements MetadataCommand<ElectLeaders.Result> {
    /** {@code imbalancePerBrokerPercentage} of an election asked for by a user, not a rebalance. */
    public static final int NOT_A_REBALANCE = -1;

    public ElectLeaders {
        Objects.requireNonNull(electionType, "electionType");
        partitions = List.copyOf(partitions);
        if (imbalancePerBrokerPercentage != NOT_A_REBALANCE && !validRebalance(electionType, allPartitions,
            partitions.size(), imbalancePerBrokerPercentage)) {
            throw new IllegalArgumentException("a rebalance is a PREFERRED election over all partitions with a "
                + "percentage >= 0: " + electionType + " all=" + allPartitions + " " + partitions + " "
                + imbalancePerBrokerPercentage);
        }
    }

    /** An election asked for by a user (ElectLeaders request). */
    public ElectLeaders(ElectionType electionType, boolean allPartitions, List<PartitionRef> partitions) {
        this(electionType, allPartitions, partitions, NOT_A_REBALANCE);
    }

    /**
     * The automatic leader rebalance; a negative percentage acts as 0 (any imbalance), which is
     * what Kafka's ratio test amounts to for it.
     */
    public static ElectLeaders rebalance(int imbalancePerBrokerPercentage) {
        return new ElectLeaders(ElectionType.PREFERRED, true, List.of(), Math.max(0, imbalancePerBrokerPercentage));
    }

    /** Whether these fields make a rebalance (the codec checks decoded entries with it). */
    public static boolean validRebalance(ElectionType type, boolean all, int partitionCount, int percentage) {
        return type == ElectionType.PREFERRED && all && partitionCount == 0 && percentage >= 0;
    }

    public boolean isRebalance() {
        return imbalancePerBrokerPercentage != NOT_A_REBALANCE;
    }

    @Override
    public CommandType type() {
        return CommandType.ELECT_LEADERS;
    }

    @Override
    public Result failed(short errorCode, String message) {
        List<PartitionError> out = new ArrayList<>();
        partitions.forEach(p -> out.add(new PartitionError(p.topic(), p.partition(), errorCode, message)));
        return new Result(errorCode, message, out);
    }

    /** Kafka's ElectionType ids. */
    public enum ElectionType {
        PREFERRED((byte) 0), UNCLEAN((byte) 1);

        private final byte id;

        ElectionType(byte id) {
            this.id = id;
        }

        public byte id() {
            return id;
        }

        public static ElectionType fromId(byte id) {
            return id == 0 ? PREFERRED : id == 1 ? UNCLEAN : null;
        }
    }

    public record PartitionRef(String topic, int partition) {
        public PartitionRef {
            Objects.requireNonNull(topic, "topic");
        }
    }

    public record PartitionError(String topic, int partition, short errorCode, String errorMessage) {
    }

    /** @param partitions one entry per partition considered (all partitions when allPartitions) */
    public record Result(short errorCode, String errorMessage, List<PartitionError> partitions)
        implements CommandResult {
        public Result {
            partitions = List.copyOf(partitions);
        }
    }
}
