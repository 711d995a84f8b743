package io.sluice.metadata.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Creates topics (Kafka's CreateTopics). Each topic either gets a manual assignment or the quorum
 * assigns replicas over the live, unfenced brokers: replicas and preferred leaders spread
 * round-robin from a start that varies per topic, racks alternated when brokers have racks
 * (Kafka's rack-aware assignment). With {@code validateOnly} nothing is created but every check
 * runs and the results are what a real creation would return.
 *
 * <p>The server resolves defaults first ({@code num.partitions}, {@code default.replication.factor}):
 * the counts here are final.
 */
public record CreateTopics(List<NewTopic> topics, boolean validateOnly)
    implements MetadataCommand<CreateTopics.Result> {

    public CreateTopics {
        topics = List.copyOf(topics);
    }

    @Override
    public CommandType type() {
        return CommandType.CREATE_TOPICS;
    }

    @Override
    public Result failed(short errorCode, String message) {
        List<TopicOutcome> out = new ArrayList<>(topics.size());
        for (NewTopic t : topics) {
            out.add(new TopicOutcome(t.name(), null, errorCode, message, -1, (short) -1));
        }
        return new Result(errorCode, message, out);
    }

    /**
     * @param numPartitions      partition count when {@code assignment} is empty
     * @param replicationFactor  replica count when {@code assignment} is empty
     * @param assignment         manual assignment: element i = replicas of partition i; empty = automatic
     * @param configs            topic configs, validated with Kafka's names and ranges
     */
    public record NewTopic(String name, int numPartitions, short replicationFactor, List<List<Integer>> assignment,
                           Map<String, String> configs) {
        public NewTopic {
            Objects.requireNonNull(name, "name");
            assignment = assignment.stream().map(List::copyOf).toList();
            configs = Map.copyOf(configs);
        }

        /** An automatically assigned topic. */
        public static NewTopic of(String name, int numPartitions, int replicationFactor) {
            return new NewTopic(name, numPartitions, (short) replicationFactor, List.of(), Map.of());
        }
    }

    /** Per-topic outcome; {@code topicId} is null on error. */
    public record TopicOutcome(String name, UUID topicId, short errorCode, String errorMessage, int numPartitions,
                               short replicationFactor) {
    }

    /** @param topics one outcome per requested topic, in request order */
    public record Result(short errorCode, String errorMessage, List<TopicOutcome> topics) implements CommandResult {
        public Result {
            topics = List.copyOf(topics);
        }
    }
}
