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
 * PREFERRED election over all partitions marked {@code rebalance} (version 1): apply then elects
 * only the partitions off their preferred replica that can move back (see {@code LeaderImbalance}),
 * so every voter decides from the image alone.
 */
public record ElectLeaders(ElectionType electionType, boolean allPartitions, List<PartitionRef> partitions,
                           boolean rebalance)
    implements MetadataCommand<ElectLeaders.Result> {

    public ElectLeaders {
        Objects.requireNonNull(electionType, "electionType");
        partitions = List.copyOf(partitions);
        if (rebalance && !validRebalance(electionType, allPartitions, partitions.size())) {
            throw new IllegalArgumentException("a rebalance is a PREFERRED election over all partitions: "
                + electionType + " all=" + allPartitions + " " + partitions);
        }
    }

    /** An election asked for by a user (ElectLeaders request). */
    public ElectLeaders(ElectionType electionType, boolean allPartitions, List<PartitionRef> partitions) {
        this(electionType, allPartitions, partitions, false);
    }

    /** The automatic leader rebalance. */
    public static ElectLeaders automaticRebalance() {
        return new ElectLeaders(ElectionType.PREFERRED, true, List.of(), true);
    }

    /** Whether these fields make a rebalance (the codec checks decoded entries with it). */
    public static boolean validRebalance(ElectionType type, boolean all, int partitionCount) {
        return type == ElectionType.PREFERRED && all && partitionCount == 0;
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
