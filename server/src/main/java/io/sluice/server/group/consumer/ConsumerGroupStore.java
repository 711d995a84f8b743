package io.sluice.server.group.consumer;

import io.sluice.server.group.classic.ClassicGroups;
import io.sluice.server.group.log.ConsumerGroupRecordDescriptor;
import io.sluice.server.group.log.GroupRecords;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Writes a consumer group's changes to {@code __consumer_offsets} in Kafka's records, and
 * rebuilds groups from them at load. A change is bracketed: {@link #begin} copies what the group
 * looks like, the caller changes the group, {@link #commit} writes the difference (member
 * metadata, group epoch, target assignment, current assignments, tombstones of removed members)
 * as one batch and waits until the ISR has it; if that fails the group is put back as it was.
 * Owned by the coordinator thread; not thread-safe.
 */
public final class ConsumerGroupStore {

    /**
     * What a group looked like when a change began; {@code prefix}: records written first in the same
     * batch (the tombstone of the classic group a conversion replaces).
     */
    public record Change(ConsumerGroup group, int groupEpoch, int assignmentEpoch, Map<String, ConsumerMember> members,
                         Map<String, Map<Uuid, Set<Integer>>> target, Map<String, ClusterTopics.Topic> topics,
                         List<GroupRecords.Record> prefix) { }

    private final ClassicGroups.RecordWriter writer;

    public ConsumerGroupStore(ClassicGroups.RecordWriter writer) {
        this.writer = writer;
    }

    public Change begin(ConsumerGroup g) {
        Map<String, ConsumerMember> members = new LinkedHashMap<>();
        g.members().forEach(m -> members.put(m.memberId(), m));
        return new Change(g, g.groupEpoch(), g.assignmentEpoch(), members, new HashMap<>(g.target()),
                g.subscribedTopics(), List.of());
    }

    /**
     * A change to a group just converted from a classic one: everything it holds is written, after
     * {@code prefix} (Kafka's upgrade batch: the classic group's tombstone, then the consumer group's records).
     */
    public Change beginConversion(ConsumerGroup g, List<GroupRecords.Record> prefix) {
        return new Change(g, 0, 0, Map.of(), Map.of(), Map.of(), List.copyOf(prefix));
    }

    /**
     * Writes what changed since {@code c} began; NONE, or the error the client is given. When the
     * write fails the group is put back as it was at {@link #begin}.
     */
    public Errors commit(Change c) {
        List<GroupRecords.Record> records = records(c);
        if (records.isEmpty()) {
            return Errors.NONE;
        }
        Errors e = mapAppendError(writer.write(records));
        if (e != Errors.NONE) {
            c.group().restore(c.groupEpoch(), c.assignmentEpoch(), c.members().values(), c.target(), c.topics());
        }
        return e;
    }

    /** Writes records as one batch (a conversion to a classic group); NONE, or the error the client is given. */
    public Errors write(List<GroupRecords.Record> records) {
        return mapAppendError(writer.write(records));
    }

    /** The tombstone of an empty classic group turning into a consumer group. */
    public Errors dropClassic(String groupId) {
        return mapAppendError(writer.write(List.of(ClassicGroups.groupTombstone(groupId))));
    }

    static List<GroupRecords.Record> records(Change c) {
        ConsumerGroup g = c.group();
        String id = g.groupId();
        List<GroupRecords.Record> out = new ArrayList<>(c.prefix());
        for (ConsumerMember old : c.members().values()) {
            if (g.member(old.memberId()) == null) {
                out.add(ConsumerGroupRecords.memberTombstone(ConsumerGroupRecordDescriptor.CURRENT_MEMBER_ASSIGNMENT, id,
                        old.memberId()));
                out.add(ConsumerGroupRecords.memberTombstone(ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_MEMBER, id,
                        old.memberId()));
                out.add(ConsumerGroupRecords.memberTombstone(ConsumerGroupRecordDescriptor.MEMBER_METADATA, id,
                        old.memberId()));
            }
        }
        for (ConsumerMember m : g.members()) {
            ConsumerMember old = c.members().get(m.memberId());
            if (old == null || !sameMetadata(old, m)) {
                out.add(ConsumerGroupRecords.memberMetadata(id, m));
            }
        }
        if (g.groupEpoch() != c.groupEpoch()) {
            out.add(ConsumerGroupRecords.groupEpoch(id, g.groupEpoch()));
        }
        g.target().forEach((memberId, t) -> {
            if (!t.equals(c.target().get(memberId))) {
                out.add(ConsumerGroupRecords.targetMember(id, memberId, t));
            }
        });
        if (g.assignmentEpoch() != c.assignmentEpoch()) {
            out.add(ConsumerGroupRecords.targetEpoch(id, g.assignmentEpoch()));
        }
        for (ConsumerMember m : g.members()) {
            ConsumerMember old = c.members().get(m.memberId());
            if (old == null || old.memberEpoch() != m.memberEpoch() || old.previousMemberEpoch() != m.previousMemberEpoch()
                    || old.state() != m.state() || !old.assigned().equals(m.assigned())
                    || !old.pendingRevocation().equals(m.pendingRevocation())) {
                out.add(ConsumerGroupRecords.currentAssignment(id, m));
            }
        }
        return out;
    }

    private static boolean sameMetadata(ConsumerMember a, ConsumerMember b) {
        return Objects.equals(a.instanceId(), b.instanceId()) && Objects.equals(a.rackId(), b.rackId())
                && a.clientId().equals(b.clientId()) && a.clientHost().equals(b.clientHost())
                && a.rebalanceTimeoutMs() == b.rebalanceTimeoutMs() && a.sameSubscription(b)
                && Objects.equals(a.classic(), b.classic());
    }

    /** The tombstones that delete an empty group (its members' records went when they left). */
    public static List<GroupRecords.Record> groupTombstones(String groupId) {
        return List.of(ConsumerGroupRecords.groupTombstone(ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_METADATA, groupId),
                ConsumerGroupRecords.groupTombstone(ConsumerGroupRecordDescriptor.GROUP_METADATA, groupId));
    }

    /**
     * The tombstones of every record of a group with members, in Kafka's order
     * (ConsumerGroup.createGroupTombstoneRecords): a downgrade to a classic group writes them first.
     */
    public static List<GroupRecords.Record> conversionTombstones(ConsumerGroup g) {
        String id = g.groupId();
        List<GroupRecords.Record> out = new ArrayList<>();
        g.members().forEach(m -> out.add(ConsumerGroupRecords.memberTombstone(
                ConsumerGroupRecordDescriptor.CURRENT_MEMBER_ASSIGNMENT, id, m.memberId())));
        g.members().forEach(m -> out.add(ConsumerGroupRecords.memberTombstone(
                ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_MEMBER, id, m.memberId())));
        out.add(ConsumerGroupRecords.groupTombstone(ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_METADATA, id));
        g.members().forEach(m -> out.add(ConsumerGroupRecords.memberTombstone(
                ConsumerGroupRecordDescriptor.MEMBER_METADATA, id, m.memberId())));
        out.add(ConsumerGroupRecords.groupTombstone(ConsumerGroupRecordDescriptor.GROUP_METADATA, id));
        return out;
    }

    /**
     * Applies one stored record while the shard loads. The log may be compacted, so a tombstone of a
     * group not loaded (its group tombstone came first, or the cleaner removed the group's records)
     * changes nothing and creates nothing, as in Kafka.
     */
    public static void replay(ConsumerGroupManager manager, byte[] key, byte[] value) {
        ConsumerGroupRecords.Key k = ConsumerGroupRecords.readKey(key);
        if (value == null && !manager.isConsumerGroup(k.groupId())) {
            return;
        }
        if (value == null && k.type() == ConsumerGroupRecordDescriptor.GROUP_METADATA) {
            manager.forget(k.groupId());
            return;
        }
        if (value == null && k.type() == ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_METADATA) {
            return;
        }
        ConsumerGroup g = manager.loadGroup(k.groupId());
        switch (k.type()) {
            case ConsumerGroupRecordDescriptor.GROUP_METADATA -> g.groupEpoch(ConsumerGroupRecords.readEpoch(value));
            case ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_METADATA ->
                    g.assignmentEpoch(ConsumerGroupRecords.readEpoch(value));
            case ConsumerGroupRecordDescriptor.TARGET_ASSIGNMENT_MEMBER -> {
                if (value == null) {
                    g.target().remove(k.memberId());
                } else {
                    g.targetOf(k.memberId(), ConsumerGroupRecords.readTargetMember(value));
                }
            }
            case ConsumerGroupRecordDescriptor.MEMBER_METADATA -> {
                if (value == null) {
                    g.remove(k.memberId());
                } else {
                    ConsumerMember base = g.member(k.memberId());
                    g.put(ConsumerGroupRecords.readMemberMetadata(value,
                            base != null ? base : ConsumerMember.joining(k.memberId())));
                }
            }
            case ConsumerGroupRecordDescriptor.CURRENT_MEMBER_ASSIGNMENT -> {
                ConsumerMember m = g.member(k.memberId());
                if (value != null) {
                    ConsumerGroupRecords.CurrentAssignment a = ConsumerGroupRecords.readCurrentAssignment(value);
                    ConsumerMember base = m != null ? m : ConsumerMember.joining(k.memberId());
                    g.put(base.withEpochs(a.memberEpoch(), a.previousMemberEpoch()).reconciled(a.state(),
                            a.memberEpoch(), a.assigned(), a.pendingRevocation()).withEpochs(a.memberEpoch(),
                            a.previousMemberEpoch()));
                }
            }
            default -> throw new IllegalStateException("not a consumer group record type: " + k.type());
        }
    }

    /** Kafka's mapping of a failed append to what the member is told. */
    private static Errors mapAppendError(short code) {
        Errors e = Errors.forCode(code);
        return switch (e) {
            case NONE -> Errors.NONE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            default -> Errors.COORDINATOR_NOT_AVAILABLE;
        };
    }
}
