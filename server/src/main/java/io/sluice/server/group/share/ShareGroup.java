package io.sluice.server.group.share;

import io.sluice.server.group.consumer.ClusterTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * A share group (KIP-932): its members, the group epoch (bumped by every change of membership,
 * subscriptions or the subscribed topics' partitions), the epoch its target assignment was computed
 * at, and that assignment. Mutable; owned by the coordinator thread.
 */
final class ShareGroup {

    /** Kafka's ShareGroup states; a share group never rebalances, so there is nothing in between. */
    enum State {
        EMPTY("Empty"), STABLE("Stable");

        final String kafkaName;

        State(String kafkaName) {
            this.kafkaName = kafkaName;
        }
    }

    final String groupId;
    final Map<String, ShareMember> members = new LinkedHashMap<>();
    int groupEpoch;
    int assignmentEpoch;
    /** The subscribed topics' ids and partition counts the target assignment was computed from. */
    Map<String, ClusterTopics.Topic> subscribedTopics = Map.of();
    Map<String, Map<Uuid, Set<Integer>>> targetAssignment = Map.of();

    ShareGroup(String groupId) {
        this.groupId = groupId;
    }

    State state() {
        return members.isEmpty() ? State.EMPTY : State.STABLE;
    }

    /** The names every member subscribes to, sorted. */
    Set<String> subscribedTopicNames() {
        Set<String> names = new TreeSet<>();
        for (ShareMember m : members.values()) {
            names.addAll(m.subscribedTopics);
        }
        return names;
    }

    /**
     * The shape of Kafka's simple share assignor, per topic (each partition shared by at most
     * ceil(members / partitions) members, loads even): with no more members than partitions each
     * partition goes to one member, spread round-robin; with more members than partitions every
     * partition is shared, member i getting partition i mod P. Members are taken in member id order,
     * so the result depends only on the group; unlike Kafka's it is not sticky.
     */
    static Map<String, Map<Uuid, Set<Integer>>> assign(Map<String, ShareMember> members,
                                                       Map<String, ClusterTopics.Topic> topics) {
        Map<String, Map<Uuid, Set<Integer>>> out = new HashMap<>();
        for (String id : members.keySet()) {
            out.put(id, new HashMap<>());
        }
        for (ClusterTopics.Topic t : topics.values()) {
            List<String> subscribers = new ArrayList<>();
            for (ShareMember m : new TreeMap<>(members).values()) {
                if (m.subscribedTopics.contains(t.name())) {
                    subscribers.add(m.memberId);
                }
            }
            if (subscribers.isEmpty() || t.partitions() == 0) {
                continue;
            }
            int n = subscribers.size();
            if (n <= t.partitions()) {
                for (int p = 0; p < t.partitions(); p++) {
                    out.get(subscribers.get(p % n)).computeIfAbsent(t.id(), k -> new TreeSet<>()).add(p);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out.get(subscribers.get(i)).computeIfAbsent(t.id(), k -> new TreeSet<>()).add(i % t.partitions());
                }
            }
        }
        return out;
    }
}
