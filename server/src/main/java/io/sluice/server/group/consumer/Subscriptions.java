package io.sluice.server.group.consumer;

import com.google.re2j.Pattern;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;

/**
 * What a consumer group subscribes to, resolved against the cluster's topics (names that exist,
 * and every non-internal topic a member's RE2/J regex matches in full), and the target
 * assignment computed from it. Stateless, thread-safe.
 */
final class Subscriptions {

    private Subscriptions() { }

    /** The topics the group's members subscribe to, by name (missing topics left out). */
    static Map<String, ClusterTopics.Topic> resolve(ConsumerGroup group, ClusterTopics topics) {
        Map<String, ClusterTopics.Topic> out = new TreeMap<>();
        Map<String, Pattern> regexes = new LinkedHashMap<>();
        for (ConsumerMember m : group.members()) {
            for (String name : m.subscribedTopicNames()) {
                ClusterTopics.Topic t = topics.byName(name);
                if (t != null) {
                    out.put(name, t);
                }
            }
            if (m.subscribedTopicRegex() != null) {
                regexes.computeIfAbsent(m.subscribedTopicRegex(), Pattern::compile);
            }
        }
        if (!regexes.isEmpty()) {
            for (ClusterTopics.Topic t : topics.all()) {
                if (!Topic.isInternal(t.name()) && regexes.values().stream().anyMatch(p -> p.matches(t.name()))) {
                    out.put(t.name(), t);
                }
            }
        }
        return out;
    }

    /** Recomputes the group's target assignment at its group epoch with {@code assignor}. */
    static void computeTarget(ConsumerGroup group, PartitionAssignor assignor) {
        Map<String, Set<Uuid>> subscriptions = new HashMap<>();
        for (ConsumerMember m : group.members()) {
            subscriptions.put(m.memberId(), topicIds(m, group));
        }
        Map<Uuid, Integer> counts = new HashMap<>();
        group.subscribedTopics().values().forEach(t -> counts.put(t.id(), t.partitions()));
        group.target(group.groupEpoch(), assignor.assign(subscriptions, counts, group.target()));
    }

    /** The topics one member subscribes to, by id, among those the group resolved. */
    private static Set<Uuid> topicIds(ConsumerMember m, ConsumerGroup group) {
        Set<Uuid> ids = new HashSet<>();
        Pattern regex = m.subscribedTopicRegex() == null ? null : Pattern.compile(m.subscribedTopicRegex());
        for (ClusterTopics.Topic t : group.subscribedTopics().values()) {
            if (m.subscribedTopicNames().contains(t.name()) || (regex != null && regex.matches(t.name()))) {
                ids.add(t.id());
            }
        }
        return ids;
    }
}
