package io.sluice.server.group.classic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A classic-protocol group: state, generation, selected protocol, leader and members (Kafka's
 * ClassicGroup). Transitions are checked against {@link GroupState#validPrevious()}; an invalid
 * one is a bug and throws. Owned by its coordinator shard; not thread-safe.
 */
public final class ClassicGroup {

    private final String groupId;
    private GroupState state = GroupState.EMPTY;
    private long stateTimestampMs;
    private int generationId;
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private final LinkedHashMap<String, ClassicMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    /** Dynamic members told MEMBER_ID_REQUIRED, expected back with their id (KIP-394). */
    final Set<String> pendingJoinMembers = new HashSet<>();
    /** Members that have not sent SyncGroup since the join completed (Kafka's pending sync). */
    final Set<String> pendingSyncMembers = new HashSet<>();
    /** A new member joined during the initial rebalance delay (extends the delay, Kafka's InitialDelayedJoin). */
    boolean newMemberAdded;
    /** The rebalance now pending waits out group.initial.rebalance.delay.ms (the group was empty). */
    boolean initialDelayPending;
    int initialDelayRemainingMs;

    public ClassicGroup(String groupId, long nowMs) {
        this.groupId = groupId;
        this.stateTimestampMs = nowMs;
    }

    public String groupId() {
        return groupId;
    }

    public GroupState state() {
        return state;
    }

    public boolean is(GroupState s) {
        return state == s;
    }

    public long stateTimestampMs() {
        return stateTimestampMs;
    }

    void transitionTo(GroupState next, long nowMs) {
        if (!next.validPrevious().contains(state)) {
            throw new IllegalStateException("group " + groupId + ": invalid transition " + state + " -> " + next);
        }
        state = next;
        stateTimestampMs = nowMs;
    }

    /** Sets the state as loaded from the log (no transition check). */
    void restore(GroupState s, int generation, String protocolType, String protocolName, String leader, long tsMs) {
        this.state = s;
        this.generationId = generation;
        this.protocolType = protocolType;
        this.protocolName = protocolName;
        this.leaderId = leader;
        this.stateTimestampMs = tsMs;
    }

    public int generationId() {
        return generationId;
    }

    public String protocolType() {
        return protocolType;
    }

    void protocolType(String t) {
        this.protocolType = t;
    }

    public String protocolName() {
        return protocolName;
    }

    public String leaderId() {
        return leaderId;
    }

    public boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    public Collection<ClassicMember> members() {
        return members.values();
    }

    public int size() {
        return members.size();
    }

    public boolean isEmptyOfMembers() {
        return members.isEmpty();
    }

    public ClassicMember member(String memberId) {
        return members.get(memberId);
    }

    public boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    /** Member id of the static member with this instance id, or null. */
    public String staticMemberId(String groupInstanceId) {
        return groupInstanceId == null ? null : staticMembers.get(groupInstanceId);
    }

    void add(ClassicMember m) {
        if (members.isEmpty()) {
            protocolType = m.protocolType();
        }
        members.put(m.memberId(), m);
        if (m.isStatic()) {
            staticMembers.put(m.groupInstanceId(), m.memberId());
        }
        if (leaderId == null) {
            leaderId = m.memberId();
        }
    }

    void remove(String memberId) {
        ClassicMember m = members.remove(memberId);
        if (m != null && m.isStatic() && memberId.equals(staticMembers.get(m.groupInstanceId()))) {
            staticMembers.remove(m.groupInstanceId());
        }
        pendingSyncMembers.remove(memberId);
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** A static member rejoined with a new member id (Kafka's replaceStaticMember). */
    void replaceStaticMember(String instanceId, String oldMemberId, String newMemberId) {
        ClassicMember m = members.remove(oldMemberId);
        m.memberId(newMemberId);
        members.put(newMemberId, m);
        staticMembers.put(instanceId, newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        if (pendingSyncMembers.remove(oldMemberId)) {
            pendingSyncMembers.add(newMemberId);
        }
    }

    /** Chooses a leader among the members that rejoined, if the old one did not. */
    void electLeaderIfNeeded() {
        ClassicMember leader = leaderId == null ? null : members.get(leaderId);
        if (leader != null && leader.isAwaitingJoin()) {
            return;
        }
        for (ClassicMember m : members.values()) {
            if (m.isAwaitingJoin()) {
                leaderId = m.memberId();
                return;
            }
        }
        leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
    }

    /** Next generation: selects the protocol by vote; the group goes to CompletingRebalance or Empty. */
    void initNextGeneration(long nowMs) {
        generationId++;
        if (members.isEmpty()) {
            protocolName = null;
            transitionTo(GroupState.EMPTY, nowMs);
        } else {
            protocolName = selectProtocol();
            transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
        }
        pendingSyncMembers.clear();
        pendingSyncMembers.addAll(members.keySet());
    }

    /** True when the group supports this protocol type and one of these protocols (Kafka's supportsProtocols). */
    boolean supportsProtocols(String memberProtocolType, Set<String> memberProtocols) {
        if (members.isEmpty()) {
            return memberProtocolType != null && !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        if (!memberProtocolType.equals(protocolType)) {
            return false;
        }
        for (String p : candidateProtocols()) {
            if (memberProtocols.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** Protocols every member supports. */
    Set<String> candidateProtocols() {
        Set<String> common = null;
        for (ClassicMember m : members.values()) {
            if (common == null) {
                common = new HashSet<>(m.protocols().keySet());
            } else {
                common.retainAll(m.protocols().keySet());
            }
        }
        return common == null ? Set.of() : common;
    }

    /** Each member votes for its most preferred candidate; the most votes wins (Kafka's selectProtocol). */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ClassicMember m : members.values()) {
            for (String p : m.protocols().keySet()) {
                if (candidates.contains(p)) {
                    votes.merge(p, 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        if (best == null) {
            throw new IllegalStateException("group " + groupId + ": no protocol common to all members");
        }
        return best;
    }

    boolean hasAllMembersJoined() {
        for (ClassicMember m : members.values()) {
            if (!m.isAwaitingJoin()) {
                return false;
            }
        }
        return pendingJoinMembers.isEmpty();
    }

    List<ClassicMember> notYetRejoined() {
        List<ClassicMember> out = new ArrayList<>();
        for (ClassicMember m : members.values()) {
            if (!m.isAwaitingJoin()) {
                out.add(m);
            }
        }
        return out;
    }

    /** The longest rebalance timeout of the members: how long a rebalance may wait for them. */
    int rebalanceTimeoutMs() {
        int max = 0;
        for (ClassicMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs());
        }
        return max;
    }

    /** Clears all assignments (a new rebalance started: Kafka resets them). */
    void clearAssignments() {
        for (ClassicMember m : members.values()) {
            m.assignment(ClassicMember.EMPTY);
        }
    }

    @Override
    public String toString() {
        return "ClassicGroup{" + groupId + " " + state + " gen=" + generationId + " members=" + members.keySet() + "}";
    }
}
