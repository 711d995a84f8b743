package io.sluice.metadata.command;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Deletes topics by name or by id (Kafka's DeleteTopics v6+ allows either). */
public record DeleteTopics(List<String> names, List<UUID> topicIds) implements MetadataCommand<DeleteTopics.Result> {
    public DeleteTopics {
        names = List.copyOf(names);
        topicIds = List.copyOf(topicIds);
    }

    public static DeleteTopics byName(String... names) {
        return new DeleteTopics(List.of(names), List.of());
    }

    @Override
    public CommandType type() {
        return CommandType.DELETE_TOPICS;
    }

    @Override
    public Result failed(short errorCode, String message) {
        List<TopicOutcome> out = new ArrayList<>();
        names.forEach(n -> out.add(new TopicOutcome(n, null, errorCode, message)));
        topicIds.forEach(id -> out.add(new TopicOutcome(null, id, errorCode, message)));
        return new Result(errorCode, message, out);
    }

    /** Outcome for one requested name or id: names first, then ids, in request order. */
    public record TopicOutcome(String name, UUID topicId, short errorCode, String errorMessage) {
    }

    public record Result(short errorCode, String errorMessage, List<TopicOutcome> topics) implements CommandResult {
        public Result {
            topics = List.copyOf(topics);
        }
    }
}
