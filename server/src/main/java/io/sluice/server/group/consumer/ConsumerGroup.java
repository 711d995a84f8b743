package io.sluice.server.group.consumer;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * One KIP-848 consumer group: its group epoch (bumped whenever membership, subscriptions or the
 * subscribed topics change), the target assignment the assignor computed at the assignment
 * epoch, the members, and which member epoch owns each partition right now (a partition is
 * handed to its new owner only once the old one has revoked it). Owned by the coordinator
 * thread; not thread-safe.
 */
public final class ConsumerGroup {

    /** Kafka's ConsumerGroup.ConsumerGroupState names. */
    public enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable"), DEAD("Dead");

        private final String kafkaName;

        State(String kafkaName) {
            this.kafkaName = kafkaName;
        }

        public String kafkaName() {
            return kafkaName;
        }
    }

    private final String groupId;
    private int groupEpoch;
    private int assignmentEpoch;
    private final Map<String, ConsumerMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Map<String, Map<Uuid, Set<Integer>>> target = new HashMap<>();
    /** Partition -> epoch of the member owning it (assigned or pending revocation). */
    private final Map<Uuid, Map<Integer, Integer>> partitionEpochs = new HashMap<>();
    /** The subscribed topics the target assignment was computed from, by name. */
    private Map<String, ClusterTopics.Topic> subscribedTopics = Map.of();
    /** {@link ClusterTopics#version()} when {@link #subscribedTopics} was resolved; -1: never. */
    private long topicsVersion = -1;

    public ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    public int groupEpoch() {
        return groupEpoch;
    }

    public void groupEpoch(int epoch) {
        this.groupEpoch = epoch;
    }

    public int assignmentEpoch() {
        return assignmentEpoch;
    }

    public State state() {
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (groupEpoch > assignmentEpoch) {
            return State.ASSIGNING;
        }
        for (ConsumerMember m : members.values()) {
            if (m.state() != MemberState.STABLE || m.memberEpoch() != assignmentEpoch) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    public Collection<ConsumerMember> members() {
        return members.values();
    }

    public ConsumerMember member(String memberId) {
        return members.get(memberId);
    }

    public ConsumerMember staticMember(String instanceId) {
        String id = instanceId == null ? null : staticMembers.get(instanceId);
        return id == null ? null : members.get(id);
    }

    public int size() {
        return members.size();
    }

    public Map<String, ClusterTopics.Topic> subscribedTopics() {
        return subscribedTopics;
    }

    public void subscribedTopics(Map<String, ClusterTopics.Topic> topics, long version) {
        this.subscribedTopics = Map.copyOf(topics);
        this.topicsVersion = version;
    }

    public long topicsVersion() {
        return topicsVersion;
    }

    /** Adds or replaces a member, keeping partition ownership in step with its assignment. */
    public void put(ConsumerMember m) {
        ConsumerMember old = members.put(m.memberId(), m);
        if (old != null) {
            releaseOwnership(old);
        }
        if (m.instanceId() != null) {
            staticMembers.put(m.instanceId(), m.memberId());
        }
        claim(m.assigned(), m.memberEpoch());
        claim(m.pendingRevocation(), m.memberEpoch());
    }

    /** Removes a member, its target and its partitions (they become free for others). */
    public void remove(String memberId) {
        ConsumerMember old = members.remove(memberId);
        if (old == null) {
            return;
        }
        releaseOwnership(old);
        if (old.instanceId() != null && memberId.equals(staticMembers.get(old.instanceId()))) {
            staticMembers.remove(old.instanceId());
        }
        target.remove(memberId);
    }

    /** A static member rejoining under a new member id takes over the old one's target. */
    public void replaceStatic(ConsumerMember old, ConsumerMember replacement) {
        Map<Uuid, Set<Integer>> t = target.remove(old.memberId());
        remove(old.memberId());
        if (t != null) {
            target.put(replacement.memberId(), t);
        }
        put(replacement);
    }

    private void releaseOwnership(ConsumerMember m) {
        release(m.assigned());
        release(m.pendingRevocation());
    }

    private void claim(Map<Uuid, Set<Integer>> partitions, int epoch) {
        partitions.forEach((t, ps) -> {
            Map<Integer, Integer> byPartition = partitionEpochs.computeIfAbsent(t, x -> new HashMap<>());
            for (int p : ps) {
                byPartition.put(p, epoch);
            }
        });
    }

    private void release(Map<Uuid, Set<Integer>> partitions) {
        partitions.forEach((t, ps) -> {
            Map<Integer, Integer> byPartition = partitionEpochs.get(t);
            if (byPartition != null) {
                ps.forEach(byPartition::remove);
                if (byPartition.isEmpty()) {
                    partitionEpochs.remove(t);
                }
            }
        });
    }

    /** Epoch of the member owning the partition, or -1 when it is free. */
    public int partitionEpoch(Uuid topicId, int partition) {
        Map<Integer, Integer> byPartition = partitionEpochs.get(topicId);
        Integer e = byPartition == null ? null : byPartition.get(partition);
        return e == null ? -1 : e;
    }

    public Map<Uuid, Set<Integer>> targetOf(String memberId) {
        return target.getOrDefault(memberId, TopicPartitions.NONE);
    }

    public Map<String, Map<Uuid, Set<Integer>>> target() {
        return target;
    }

    /** Installs a new target assignment computed at {@code epoch}. */
    public void target(int epoch, Map<String, Map<Uuid, Set<Integer>>> assignment) {
        target.clear();
        assignment.forEach((m, a) -> target.put(m, TopicPartitions.copyOf(a)));
        assignmentEpoch = epoch;
    }

    /** Sets one member's target (replaying a stored target assignment). */
    public void targetOf(String memberId, Map<Uuid, Set<Integer>> a) {
        target.put(memberId, TopicPartitions.copyOf(a));
    }

    public void assignmentEpoch(int epoch) {
        this.assignmentEpoch = epoch;
    }

    /**
     * Puts the group back as it was (a change whose records could not be written is undone, so the
     * state never shows what the log does not have).
     */
    public void restore(int epoch, int targetEpoch, Collection<ConsumerMember> was,
                        Map<String, Map<Uuid, Set<Integer>>> wasTarget, Map<String, ClusterTopics.Topic> wasTopics) {
        members.clear();
        staticMembers.clear();
        partitionEpochs.clear();
        was.forEach(this::put);
        target.clear();
        target.putAll(wasTarget);
        groupEpoch = epoch;
        assignmentEpoch = targetEpoch;
        subscribedTopics = Map.copyOf(wasTopics);
        topicsVersion = -1; // resolved again on the next heartbeat
    }

    /** The assignor the group uses: the one most members asked for, else the default (Kafka's rule). */
    public String assignor(String defaultAssignor) {
        Map<String, Integer> votes = new TreeMap<>();
        for (ConsumerMember m : members.values()) {
            if (m.serverAssignor() != null) {
                votes.merge(m.serverAssignor(), 1, Integer::sum);
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(defaultAssignor);
    }
}
