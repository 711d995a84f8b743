package io.sluice.metadata.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Raises the partition count of topics (Kafka's CreatePartitions). New partitions are assigned
 * like new topics unless an assignment for them is given.
 */
public record CreatePartitions(List<Increase> topics, boolean validateOnly)
    implements MetadataCommand<CreatePartitions.Result> {

    public CreatePartitions {
        topics = List.copyOf(topics);
    }

    @Override
    public CommandType type() {
        return CommandType.CREATE_PARTITIONS;
    }

    @Override
    public Result failed(short errorCode, String message) {
        List<TopicError> out = new ArrayList<>();
        topics.forEach(t -> out.add(new TopicError(t.name(), errorCode, message)));
        return new Result(errorCode, message, out);
    }

    /**
     * @param totalCount  the new total partition count (must exceed the current one)
     * @param assignment  replicas of each new partition, or empty for automatic assignment
     */
    public record Increase(String name, int totalCount, List<List<Integer>> assignment) {
        public Increase {
            Objects.requireNonNull(name, "name");
            assignment = assignment.stream().map(List::copyOf).toList();
        }
    }

    public record Result(short errorCode, String errorMessage, List<TopicError> topics) implements CommandResult {
        public Result {
            topics = List.copyOf(topics);
        }
    }
}
