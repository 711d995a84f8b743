package io.sluice.server.group.consumer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Utils;

/**
 * Translates between a consumer group's partitions (topic id and partition numbers) and the
 * ConsumerProtocol bytes classic-protocol members exchange (subscriptions in JoinGroup,
 * assignments in SyncGroup and in the classic group record). A topic the cluster no longer has is
 * dropped, as Kafka does. Stateless, thread-safe.
 */
final class ClassicAssignments {

    private ClassicAssignments() { }

    /** The partitions of a ConsumerProtocol assignment, by topic id. */
    static Map<Uuid, Set<Integer>> fromAssignment(byte[] assignment, ClusterTopics topics) {
        if (assignment == null || assignment.length == 0) {
            return TopicPartitions.NONE;
        }
        return byId(ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(assignment)).partitions(), topics);
    }

    static Map<Uuid, Set<Integer>> byId(List<TopicPartition> partitions, ClusterTopics topics) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            ClusterTopics.Topic t = topics.byName(tp.topic());
            if (t != null) {
                out.computeIfAbsent(t.id(), x -> new HashSet<>()).add(tp.partition());
            }
        }
        return TopicPartitions.copyOf(out);
    }

    /** The assignment as ConsumerProtocol bytes, at the version of the member's subscription bytes. */
    static byte[] toAssignment(Map<Uuid, Set<Integer>> partitions, ClusterTopics topics, byte[] subscription) {
        List<TopicPartition> out = new ArrayList<>();
        new TreeMap<>(partitions).forEach((id, ps) -> {
            ClusterTopics.Topic t = topics.byId(id);
            if (t != null) {
                ps.stream().sorted().forEach(p -> out.add(new TopicPartition(t.name(), p)));
            }
        });
        short version = ConsumerProtocol.deserializeVersion(ByteBuffer.wrap(subscription));
        return Utils.toArray(ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(out),
                version));
    }

    static ConsumerPartitionAssignor.Subscription subscription(byte[] metadata) {
        return ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata));
    }
}
