package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.DeleteTopics;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.command.TopicError;
import io.sluice.metadata.config.ConfigValidator;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Applies CreateTopics, DeleteTopics and CreatePartitions with Kafka's checks and error codes.
 * Stateless.
 */
final class TopicCommands {
    /** Kafka's {@code Topic.MAX_NAME_LENGTH}. */
    static final int TOPIC_NAME_LENGTH_MAX = 249;
    /** Bound on partitions per topic (Kafka has none; a typo of 10^9 must not exhaust the heap). */
    static final int PARTITIONS_PER_TOPIC_MAX = 100_000;

    private TopicCommands() {
    }

    static CreateTopics.Result createTopics(ApplyContext ctx, CreateTopics c) {
        List<CreateTopics.TopicOutcome> out = new ArrayList<>(c.topics().size());
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (CreateTopics.NewTopic t : c.topics()) {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        }
        for (CreateTopics.NewTopic t : c.topics()) {
            if (duplicates.contains(t.name())) {
                out.add(fail(t, ErrorCodes.INVALID_REQUEST, "Duplicate topic name " + t.name() + " in request"));
                continue;
            }
            out.add(createOne(ctx, t, c.validateOnly()));
        }
        return new CreateTopics.Result(ErrorCodes.NONE, null, out);
    }

    private static CreateTopics.TopicOutcome fail(CreateTopics.NewTopic t, short code, String msg) {
        return new CreateTopics.TopicOutcome(t.name(), null, code, msg, -1, (short) -1);
    }

    private static CreateTopics.TopicOutcome createOne(ApplyContext ctx, CreateTopics.NewTopic t, boolean validateOnly) {
        Optional<String> nameError = validateTopicName(t.name());
        if (nameError.isPresent()) {
            return fail(t, ErrorCodes.INVALID_TOPIC_EXCEPTION, nameError.get());
        }
        if (ctx.image.topic(t.name()) != null) {
            return fail(t, ErrorCodes.TOPIC_ALREADY_EXISTS, "Topic '" + t.name() + "' already exists.");
        }
        Optional<String> collision = collision(ctx, t.name());
        if (collision.isPresent()) {
            return fail(t, ErrorCodes.INVALID_TOPIC_EXCEPTION, "Topic '" + t.name()
                + "' collides with existing topic: " + collision.get());
        }
        List<int[]> assignment;
        List<BrokerRegistration> live = new ArrayList<>();
        ctx.image.brokers().values().stream().filter(b -> !b.fenced()).forEach(live::add);
        live.sort((a, b) -> Integer.compare(a.brokerId(), b.brokerId()));
        if (!t.assignment().isEmpty()) {
            if (t.numPartitions() != -1 || t.replicationFactor() != -1) {
                return fail(t, ErrorCodes.INVALID_REQUEST,
                    "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            }
            if (t.assignment().size() > PARTITIONS_PER_TOPIC_MAX) {
                return fail(t, ErrorCodes.INVALID_PARTITIONS, "Number of partitions must be at most "
                    + PARTITIONS_PER_TOPIC_MAX);
            }
            String err = checkManualAssignment(ctx, t.assignment(), t.assignment().get(0).size(), 0);
            if (err != null) {
                return fail(t, ErrorCodes.INVALID_REPLICA_ASSIGNMENT, err);
            }
            err = checkSomeReplicaLive(ctx, t.assignment(), 0);
            if (err != null) {
                return fail(t, ErrorCodes.INVALID_REPLICATION_FACTOR, err);
            }
            assignment = t.assignment().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
        } else {
            if (t.numPartitions() < 1 || t.numPartitions() > PARTITIONS_PER_TOPIC_MAX) {
                return fail(t, ErrorCodes.INVALID_PARTITIONS, "Number of partitions was set to an invalid value "
                    + t.numPartitions() + ": it must be in [1, " + PARTITIONS_PER_TOPIC_MAX + "]");
            }
            if (t.replicationFactor() < 1) {
                return fail(t, ErrorCodes.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0, or -1 to use the default value.");
            }
            if (t.replicationFactor() > live.size()) {
                return fail(t, ErrorCodes.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition "
                    + t.replicationFactor() + " time(s): The target replication factor of " + t.replicationFactor()
                    + " cannot be reached because only " + live.size() + " broker(s) are registered.");
            }
            assignment = null;
        }
        Optional<String> configError = ConfigValidator.validateTopicConfigs(t.configs());
        if (configError.isPresent()) {
            return fail(t, ErrorCodes.INVALID_CONFIG, configError.get());
        }
        SplittableRandom random = ctx.random().split();
        if (assignment == null) {
            assignment = ReplicaAssigner.assign(live, t.numPartitions(), t.replicationFactor(), 0, random);
        }
        UUID id = newTopicId(ctx, random);
        int rf = assignment.get(0).length;
        if (!validateOnly) {
            PartitionImage[] parts = new PartitionImage[assignment.size()];
            for (int p = 0; p < parts.length; p++) {
                parts[p] = newPartition(ctx, p, assignment.get(p));
            }
            TopicImage topic = new TopicImage(t.name(), id, parts, t.configs());
            ctx.image.putTopic(topic);
            ctx.delta.topicCreated(id);
            for (PartitionImage p : parts) {
                ctx.delta.partitionChanged(topic, null, p);
            }
        }
        return new CreateTopics.TopicOutcome(t.name(), id, ErrorCodes.NONE, null, assignment.size(), (short) rf);
    }

    /** ISR = the unfenced replicas; leader = first of them (KRaft's creation rule). */
    private static PartitionImage newPartition(ApplyContext ctx, int id, int[] replicas) {
        int[] isr = Arrays.stream(replicas).filter(ctx.image::isUnfenced).toArray();
        if (isr.length == 0) {
            throw new IllegalStateException("new partition " + id + " has no unfenced replica in "
                + Arrays.toString(replicas));
        }
        int leader = isr[0];
        return new PartitionImage(id, replicas, isr, leader, 0, 0);
    }

    private static UUID newTopicId(ApplyContext ctx, SplittableRandom random) {
        while (true) {
            UUID id = new UUID(random.nextLong(), random.nextLong());
            // Kafka's Uuid.randomUuid rules: not zero, not the metadata topic id (0,1), base64 must not start with '-'.
            boolean reserved = id.getMostSignificantBits() == 0 && id.getLeastSignificantBits() <= 1;
            boolean dashFirst = (id.getMostSignificantBits() >>> 58) == 62;
            if (!reserved && !dashFirst && ctx.image.topic(id) == null) {
                return id;
            }
        }
    }

    static String checkManualAssignment(ApplyContext ctx, List<List<Integer>> assignment, int rf, int firstPartition) {
        for (int p = 0; p < assignment.size(); p++) {
            List<Integer> replicas = assignment.get(p);
            int id = firstPartition + p;
            if (replicas.isEmpty()) {
                return "The manual partition assignment includes an empty replica list for partition " + id;
            }
            if (replicas.size() != rf) {
                return "The manual partition assignment includes a partition with " + replicas.size()
                    + " replica(s), but this is not consistent with previous partitions, which have " + rf
                    + " replica(s).";
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                return "The manual partition assignment includes the broker " + replicas
                    + " more than once for partition " + id;
            }
            for (int b : replicas) {
                if (ctx.image.broker(b) == null) {
                    return "The manual partition assignment includes broker " + b + ", but no such broker is registered.";
                }
            }
        }
        return null;
    }

    /** KRaft rejects a manual partition whose replicas are all fenced: it could have no leader. */
    private static String checkSomeReplicaLive(ApplyContext ctx, List<List<Integer>> assignment, int firstPartition) {
        for (int p = 0; p < assignment.size(); p++) {
            if (assignment.get(p).stream().noneMatch(ctx.image::isUnfenced)) {
                return "All brokers specified in the manual partition assignment for partition " + (firstPartition + p)
                    + " are fenced or in controlled shutdown.";
            }
        }
        return null;
    }

    /** Kafka's {@code Topic.validate}; empty when legal. */
    static Optional<String> validateTopicName(String name) {
        if (name.isEmpty()) {
            return Optional.of("Topic name is illegal, it can't be empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("Topic name cannot be \".\" or \"..\"");
        }
        if (name.length() > TOPIC_NAME_LENGTH_MAX) {
            return Optional.of("Topic name is illegal, it can't be longer than " + TOPIC_NAME_LENGTH_MAX + " characters, topic name: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                || ch == '.' || ch == '_' || ch == '-';
            if (!ok) {
                return Optional.of("Topic name \"" + name + "\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'");
            }
        }
        return Optional.empty();
    }

    /** Topics differing only in '.' vs '_' collide in metric names (Kafka's rule). */
    private static Optional<String> collision(ApplyContext ctx, String name) {
        if (name.indexOf('.') < 0 && name.indexOf('_') < 0) {
            return Optional.empty();
        }
        String unified = name.replace('.', '_');
        for (String existing : ctx.image.topicsByName().keySet()) {
            if (existing.replace('.', '_').equals(unified)) {
                return Optional.of(existing);
            }
        }
        return Optional.empty();
    }

    static DeleteTopics.Result deleteTopics(ApplyContext ctx, DeleteTopics c) {
        List<DeleteTopics.TopicOutcome> out = new ArrayList<>();
        for (String name : c.names()) {
            TopicImage t = ctx.image.topic(name);
            if (t == null) {
                out.add(new DeleteTopics.TopicOutcome(name, null, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition."));
            } else {
                delete(ctx, t);
                out.add(new DeleteTopics.TopicOutcome(name, t.topicId(), ErrorCodes.NONE, null));
            }
        }
        for (UUID id : c.topicIds()) {
            TopicImage t = ctx.image.topic(id);
            if (t == null) {
                out.add(new DeleteTopics.TopicOutcome(null, id, ErrorCodes.UNKNOWN_TOPIC_ID,
                    "This server does not host this topic ID."));
            } else {
                delete(ctx, t);
                out.add(new DeleteTopics.TopicOutcome(t.name(), id, ErrorCodes.NONE, null));
            }
        }
        return new DeleteTopics.Result(ErrorCodes.NONE, null, out);
    }

    private static void delete(ApplyContext ctx, TopicImage t) {
        ctx.image.removeTopic(t);
        ctx.delta.topicDeleted(t);
    }

    static CreatePartitions.Result createPartitions(ApplyContext ctx, CreatePartitions c) {
        List<TopicError> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        c.topics().forEach(t -> {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        });
        for (CreatePartitions.Increase inc : c.topics()) {
            if (duplicates.contains(inc.name())) {
                out.add(new TopicError(inc.name(), ErrorCodes.INVALID_REQUEST, "Duplicate topic name in request"));
                continue;
            }
            out.add(increase(ctx, inc, c.validateOnly()));
        }
        return new CreatePartitions.Result(ErrorCodes.NONE, null, out);
    }

    private static TopicError increase(ApplyContext ctx, CreatePartitions.Increase inc, boolean validateOnly) {
        TopicImage t = ctx.image.topic(inc.name());
        if (t == null) {
            return new TopicError(inc.name(), ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
                "This server does not host this topic-partition.");
        }
        int current = t.partitionCount();
        if (inc.totalCount() < current) {
            return new TopicError(inc.name(), ErrorCodes.INVALID_PARTITIONS, "Topic currently has " + current
                + " partitions, which is higher than the requested " + inc.totalCount() + ".");
        }
        if (inc.totalCount() == current) {
            return new TopicError(inc.name(), ErrorCodes.INVALID_PARTITIONS, "Topic already has " + current
                + " partitions.");
        }
        if (inc.totalCount() > PARTITIONS_PER_TOPIC_MAX) {
            return new TopicError(inc.name(), ErrorCodes.INVALID_PARTITIONS, "Number of partitions must be at most "
                + PARTITIONS_PER_TOPIC_MAX);
        }
        int added = inc.totalCount() - current;
        int rf = t.partition(0).replicaCount();
        List<int[]> assignment;
        if (!inc.assignment().isEmpty()) {
            if (inc.assignment().size() != added) {
                return new TopicError(inc.name(), ErrorCodes.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + added
                    + " additional partition(s), but only " + inc.assignment().size() + " assignment(s) were specified.");
            }
            String err = checkManualAssignment(ctx, inc.assignment(), rf, current);
            if (err != null) {
                return new TopicError(inc.name(), ErrorCodes.INVALID_REPLICA_ASSIGNMENT, err);
            }
            err = checkSomeReplicaLive(ctx, inc.assignment(), current);
            if (err != null) {
                return new TopicError(inc.name(), ErrorCodes.INVALID_REPLICATION_FACTOR, err);
            }
            assignment = inc.assignment().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
        } else {
            List<BrokerRegistration> live = new ArrayList<>();
            ctx.image.brokers().values().stream().filter(b -> !b.fenced()).forEach(live::add);
            live.sort((a, b) -> Integer.compare(a.brokerId(), b.brokerId()));
            if (rf > live.size()) {
                return new TopicError(inc.name(), ErrorCodes.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition "
                    + rf + " time(s): only " + live.size() + " broker(s) are registered.");
            }
            assignment = ReplicaAssigner.assign(live, added, rf, current, ctx.random().split());
        }
        if (!validateOnly) {
            List<PartitionImage> parts = new ArrayList<>(added);
            for (int i = 0; i < added; i++) {
                parts.add(newPartition(ctx, current + i, assignment.get(i)));
            }
            TopicImage updated = t.withAddedPartitions(parts);
            ctx.image.putTopic(updated);
            for (PartitionImage p : parts) {
                ctx.delta.partitionChanged(updated, null, p);
            }
        }
        return new TopicError(inc.name(), ErrorCodes.NONE, null);
    }
}
