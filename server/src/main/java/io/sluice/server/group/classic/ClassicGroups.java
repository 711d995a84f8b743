package io.sluice.server.group.classic;

import io.sluice.server.group.log.GroupRecords;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The classic groups of one coordinator shard and how a group is written to the log. A group
 * that only has committed offsets is an EMPTY group without protocol type, as in Kafka. Owned by
 * the coordinator thread; not thread-safe.
 */
public final class ClassicGroups {

    /** Appends records to the shard's partition of __consumer_offsets; returns a Kafka error code. */
    @FunctionalInterface
    public interface RecordWriter {
        short write(List<GroupRecords.Record> records);
    }

    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private final LongSupplier clockMs;
    private final RecordWriter writer;
    private Predicate<String> hasOffsets = g -> false;

    public ClassicGroups(LongSupplier clockMs, RecordWriter writer) {
        this.clockMs = clockMs;
        this.writer = writer;
    }

    /** Tells which groups still have committed offsets (they stay listed while EMPTY). */
    public void hasOffsets(Predicate<String> p) {
        this.hasOffsets = p;
    }

    public ClassicGroup get(String groupId) {
        return groupId == null ? null : groups.get(groupId);
    }

    public ClassicGroup create(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, clockMs.getAsLong()));
    }

    public Collection<ClassicGroup> all() {
        return groups.values();
    }

    public int size() {
        return groups.size();
    }

    /**
     * Forgets a group that never got anywhere: generation 0 (so nothing was ever written for it),
     * no members, no pending joins, no offsets. A group that was stored goes only with a tombstone.
     */
    public void removeIfUnused(ClassicGroup g) {
        if (g.generationId() == 0 && g.isEmptyOfMembers() && g.pendingJoinMembers.isEmpty()
                && !hasOffsets.test(g.groupId()) && g.is(GroupState.EMPTY)) {
            groups.remove(g.groupId());
        }
    }

    /** Marks the group dead and forgets it (DeleteGroups, or its last offset expired). */
    public void remove(ClassicGroup g) {
        g.transitionTo(GroupState.DEAD, clockMs.getAsLong());
        groups.remove(g.groupId());
    }

    /** Writes the group's metadata record (Kafka stores it after each completed rebalance). */
    public short storeGroup(ClassicGroup g) {
        return writer.write(List.of(groupRecord(g)));
    }

    public static GroupRecords.Record groupRecord(ClassicGroup g) {
        List<GroupRecords.MemberValue> members = new ArrayList<>();
        for (ClassicMember m : g.members()) {
            members.add(new GroupRecords.MemberValue(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(),
                    g.protocolName() == null ? ClassicMember.EMPTY : m.metadata(g.protocolName()), m.assignment()));
        }
        GroupRecords.GroupValue v = new GroupRecords.GroupValue(g.protocolType() == null ? "" : g.protocolType(),
                g.generationId(), g.protocolName(), g.leaderId(), g.stateTimestampMs(), members);
        return new GroupRecords.Record(GroupRecords.groupMetadataKey(g.groupId()), GroupRecords.groupMetadataValue(v));
    }

    public static GroupRecords.Record groupTombstone(String groupId) {
        return new GroupRecords.Record(GroupRecords.groupMetadataKey(groupId), null);
    }

    /**
     * Rebuilds a group from its stored record (loading a partition). A group with members comes
     * back STABLE: its members keep their assignment and must heartbeat within their session
     * (the caller schedules it), as after a Kafka coordinator failover.
     */
    public ClassicGroup load(String groupId, GroupRecords.GroupValue v) {
        ClassicGroup g = new ClassicGroup(groupId, clockMs.getAsLong());
        for (GroupRecords.MemberValue mv : v.members()) {
            LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
            if (v.protocol() != null) {
                protocols.put(v.protocol(), mv.subscription());
            }
            ClassicMember m = new ClassicMember(mv.memberId(), mv.groupInstanceId(), mv.clientId(), mv.clientHost(),
                    mv.rebalanceTimeoutMs(), mv.sessionTimeoutMs(), v.protocolType(), protocols);
            m.assignment(mv.assignment());
            g.add(m);
        }
        String protocolType = v.protocolType() == null || v.protocolType().isEmpty() ? null : v.protocolType();
        g.restore(v.members().isEmpty() ? GroupState.EMPTY : GroupState.STABLE, v.generation(), protocolType,
                v.protocol(), v.members().isEmpty() ? null : v.leader(),
                v.currentStateTimestampMs() > 0 ? v.currentStateTimestampMs() : clockMs.getAsLong());
        groups.put(groupId, g);
        return g;
    }

    /** Forgets a group as loaded from a tombstone. */
    public void unload(String groupId) {
        groups.remove(groupId);
    }
}
