package io.sluice.server.group.share;

import io.sluice.server.group.consumer.ClusterTopics;
import io.sluice.server.group.log.GroupRecords;
import io.sluice.server.group.runtime.CoordinatorTimer;
import io.sluice.server.group.runtime.GroupConfigLookup;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share groups of one coordinator shard (one partition of {@code __consumer_offsets}):
 * ShareGroupHeartbeat (join, leave, subscription changes, assignment), member sessions
 * ({@code group.share.session.timeout.ms}), ShareGroupDescribe, ListGroups and DeleteGroups.
 * Share groups never rebalance: a new assignment is handed to each member on its next heartbeat,
 * with the group epoch as its member epoch. Every change is written to {@code __consumer_offsets}
 * in Kafka's records ({@link ShareGroupRecords}: group epoch, member metadata, current member
 * assignment) before it is answered, and a loaded shard replays them, so members keep their
 * epochs across a coordinator failover. A failed write drops the group from memory and answers
 * the error: its members rejoin, and what the log holds stays the truth. Not thread-safe: owned by
 * the coordinator thread.
 */
public final class ShareGroups {

    private static final Logger LOG = LoggerFactory.getLogger(ShareGroups.class);
    /** Kafka's ShareGroupHeartbeatRequest.LEAVE_GROUP_MEMBER_EPOCH. */
    static final int LEAVE_EPOCH = -1;
    static final String ASSIGNOR = "simple";

    private final ShareGroupConfig config;
    private final GroupConfigLookup groupConfigs;
    private final CoordinatorTimer timer;
    private final ClusterTopics topics;
    /** Appends records to the shard's partition and waits for the ISR; a Kafka error code. */
    private final Function<List<GroupRecords.Record>, Short> writer;
    private final Map<String, ShareGroup> groups = new LinkedHashMap<>();

    public ShareGroups(ShareGroupConfig config, GroupConfigLookup groupConfigs, CoordinatorTimer timer, ClusterTopics topics,
                       Function<List<GroupRecords.Record>, Short> writer) {
        this.config = config;
        this.groupConfigs = groupConfigs;
        this.timer = timer;
        this.topics = topics;
        this.writer = writer;
    }

    public boolean contains(String groupId) {
        return groups.containsKey(groupId);
    }

    public int size() {
        return groups.size();
    }

    /** Members of every share group here (a metric). */
    public int memberCount() {
        int n = 0;
        for (ShareGroup g : groups.values()) {
            n += g.members.size();
        }
        return n;
    }

    /**
     * One heartbeat. {@code classicGroupExists}: the id is taken by a classic group of this shard,
     * answered GROUP_ID_NOT_FOUND as Kafka does ("is not a share group").
     */
    public ShareGroupHeartbeatResponseData heartbeat(ShareGroupHeartbeatRequestData req, String clientId,
                                                     String clientHost, boolean classicGroupExists) {
        ShareGroupHeartbeatResponseData resp = new ShareGroupHeartbeatResponseData()
                .setHeartbeatIntervalMs(groupConfigs.intOr(req.groupId(), "share.heartbeat.interval.ms", config.heartbeatIntervalMs()))
                .setMemberId(req.memberId());
        String invalid = invalidRequest(req);
        if (invalid != null) {
            return resp.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(invalid).setMemberEpoch(0);
        }
        if (classicGroupExists) {
            return resp.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage("Group " + req.groupId() + " is not a share group.");
        }
        ShareGroup g = groups.get(req.groupId());
        ShareMember m = g == null ? null : g.members.get(req.memberId());
        if (req.memberEpoch() == LEAVE_EPOCH) {
            Errors e = m == null ? Errors.NONE : remove(g, m, "left");
            return resp.setMemberEpoch(LEAVE_EPOCH).setErrorCode(e.code());
        }
        if (req.memberEpoch() > 0) {
            if (m == null) {
                return resp.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code())
                        .setErrorMessage("Member " + req.memberId() + " is not a member of group " + req.groupId());
            }
            if (req.memberEpoch() != m.memberEpoch) {
                return resp.setErrorCode(Errors.FENCED_MEMBER_EPOCH.code()).setErrorMessage("The share group member "
                        + "has a smaller or larger member epoch (" + req.memberEpoch() + ") than the one known by "
                        + "the group coordinator (" + m.memberEpoch + ").");
            }
        }
        if (g == null) {
            g = new ShareGroup(req.groupId());
            groups.put(g.groupId, g);
        }
        boolean joining = m == null || req.memberEpoch() == 0;
        int groupEpochBefore = g.groupEpoch;
        boolean memberChanged = m == null;
        if (m == null) {
            if (g.members.size() >= config.groupMaxSize()) {
                if (g.members.isEmpty()) {
                    groups.remove(g.groupId);
                }
                return resp.setErrorCode(Errors.GROUP_MAX_SIZE_REACHED.code()).setErrorMessage("The share group has "
                        + "reached its maximum capacity of " + config.groupMaxSize() + " members.");
            }
            m = new ShareMember(req.memberId());
            g.members.put(m.memberId, m);
            g.groupEpoch++;
            LOG.info("Member {} joined share group {} (group epoch {})", m.memberId, g.groupId, g.groupEpoch);
        }
        m.clientId = clientId;
        m.clientHost = clientHost;
        if (req.rackId() != null && !req.rackId().equals(m.rackId)) {
            m.rackId = req.rackId();
            memberChanged = true;
        }
        if (req.subscribedTopicNames() != null && !List.copyOf(req.subscribedTopicNames()).equals(m.subscribedTopics)) {
            m.subscribedTopics = List.copyOf(req.subscribedTopicNames());
            g.groupEpoch++;
            memberChanged = true;
        }
        refreshAssignment(g);
        scheduleSession(g, m);
        resp.setMemberEpoch(m.memberEpoch);
        List<GroupRecords.Record> records = new ArrayList<>();
        if (g.groupEpoch != groupEpochBefore) {
            records.add(ShareGroupRecords.groupMetadata(g.groupId, g.groupEpoch));
        }
        if (memberChanged) {
            records.add(memberRecord(g, m));
        }
        if (joining || m.memberEpoch != g.assignmentEpoch) {
            int previous = m.memberEpoch;
            m.memberEpoch = g.assignmentEpoch;
            m.assignment = g.targetAssignment.getOrDefault(m.memberId, Map.of());
            records.add(ShareGroupRecords.assignment(g.groupId, m.memberId,
                    new ShareGroupRecords.AssignmentValue(m.memberEpoch, previous, m.assignment)));
            resp.setMemberEpoch(m.memberEpoch).setAssignment(toResponse(m.assignment));
        }
        Errors e = write(g, records);
        if (e != Errors.NONE) {
            return new ShareGroupHeartbeatResponseData().setMemberId(req.memberId()).setErrorCode(e.code());
        }
        return resp;
    }

    private static GroupRecords.Record memberRecord(ShareGroup g, ShareMember m) {
        return ShareGroupRecords.memberMetadata(g.groupId, m.memberId,
                new ShareGroupRecords.MemberValue(m.rackId, m.clientId, m.clientHost, m.subscribedTopics));
    }

    /**
     * Writes a group's change; when that fails the group is dropped from memory (its members
     * rejoin; the log still holds its last written state) and the error is the answer's.
     */
    private Errors write(ShareGroup g, List<GroupRecords.Record> records) {
        if (records.isEmpty()) {
            return Errors.NONE;
        }
        short err = writer.apply(records);
        if (err == Errors.NONE.code()) {
            return Errors.NONE;
        }
        for (ShareMember m : g.members.values()) {
            timer.cancel(sessionKey(g.groupId, m.memberId));
        }
        groups.remove(g.groupId);
        LOG.warn("Writing share group {} failed ({}); dropped from memory", g.groupId, Errors.forCode(err));
        return err == Errors.NOT_LEADER_OR_FOLLOWER.code() ? Errors.NOT_COORDINATOR : Errors.COORDINATOR_NOT_AVAILABLE;
    }

    private static String invalidRequest(ShareGroupHeartbeatRequestData req) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return "GroupId can't be empty.";
        }
        if (req.memberId() == null || req.memberId().isEmpty()) {
            return "MemberId can't be empty.";
        }
        if (req.memberEpoch() < LEAVE_EPOCH) {
            return "MemberEpoch is invalid.";
        }
        if (req.memberEpoch() == 0 && (req.subscribedTopicNames() == null || req.subscribedTopicNames().isEmpty())) {
            return "SubscribedTopicNames must be set in first request.";
        }
        return null;
    }

    /** Recomputes the target assignment when the group epoch moved or the subscribed topics changed. */
    private void refreshAssignment(ShareGroup g) {
        Map<String, ClusterTopics.Topic> now = new HashMap<>();
        for (String name : g.subscribedTopicNames()) {
            ClusterTopics.Topic t = topics.byName(name);
            if (t != null) {
                now.put(name, t);
            }
        }
        if (!now.equals(g.subscribedTopics)) {
            g.subscribedTopics = now;
            g.groupEpoch++;
        }
        if (g.assignmentEpoch != g.groupEpoch) {
            g.targetAssignment = ShareGroup.assign(g.members, g.subscribedTopics);
            g.assignmentEpoch = g.groupEpoch;
        }
    }

    private void scheduleSession(ShareGroup g, ShareMember m) {
        int sessionTimeoutMs = groupConfigs.intOr(g.groupId, "share.session.timeout.ms", config.sessionTimeoutMs());
        timer.schedule(sessionKey(g.groupId, m.memberId), sessionTimeoutMs, () -> {
            ShareGroup cur = groups.get(g.groupId);
            if (cur != null && cur.members.get(m.memberId) == m) {
                remove(cur, m, "session expired");
            }
        });
    }

    private Errors remove(ShareGroup g, ShareMember m, String why) {
        g.members.remove(m.memberId);
        timer.cancel(sessionKey(g.groupId, m.memberId));
        g.groupEpoch++;
        refreshAssignment(g);
        LOG.info("Member {} of share group {} removed: {} (group epoch {})", m.memberId, g.groupId, why, g.groupEpoch);
        return write(g, List.of(ShareGroupRecords.tombstone(ShareGroupRecords.CURRENT_MEMBER_ASSIGNMENT, g.groupId, m.memberId),
                ShareGroupRecords.tombstone(ShareGroupRecords.MEMBER_METADATA, g.groupId, m.memberId),
                ShareGroupRecords.groupMetadata(g.groupId, g.groupEpoch)));
    }

    private static String sessionKey(String groupId, String memberId) {
        return "share-session:" + groupId + ":" + memberId;
    }

    private static ShareGroupHeartbeatResponseData.Assignment toResponse(Map<Uuid, Set<Integer>> assignment) {
        ShareGroupHeartbeatResponseData.Assignment a = new ShareGroupHeartbeatResponseData.Assignment();
        for (Map.Entry<Uuid, Set<Integer>> e : assignment.entrySet()) {
            a.topicPartitions().add(new ShareGroupHeartbeatResponseData.TopicPartitions().setTopicId(e.getKey())
                    .setPartitions(new ArrayList<>(e.getValue())));
        }
        return a;
    }

    /** Members of a share group; -1 when there is no share group {@code groupId}. */
    public int memberCount(String groupId) {
        ShareGroup g = groups.get(groupId);
        return g == null ? -1 : g.members.size();
    }

    /** ShareGroupDescribe of one group; null when no share group has this id (the caller decides the error). */
    public ShareGroupDescribeResponseData.DescribedGroup describe(String groupId) {
        ShareGroup g = groups.get(groupId);
        if (g == null) {
            return null;
        }
        ShareGroupDescribeResponseData.DescribedGroup d = new ShareGroupDescribeResponseData.DescribedGroup()
                .setGroupId(groupId).setGroupState(g.state().kafkaName).setGroupEpoch(g.groupEpoch)
                .setAssignmentEpoch(g.assignmentEpoch).setAssignorName(ASSIGNOR);
        for (ShareMember m : g.members.values()) {
            ShareGroupDescribeResponseData.Assignment a = new ShareGroupDescribeResponseData.Assignment();
            for (Map.Entry<Uuid, Set<Integer>> e : m.assignment.entrySet()) {
                ClusterTopics.Topic t = topics.byId(e.getKey());
                a.topicPartitions().add(new ShareGroupDescribeResponseData.TopicPartitions().setTopicId(e.getKey())
                        .setTopicName(t == null ? "" : t.name()).setPartitions(new ArrayList<>(e.getValue())));
            }
            d.members().add(new ShareGroupDescribeResponseData.Member().setMemberId(m.memberId).setRackId(m.rackId)
                    .setMemberEpoch(m.memberEpoch).setClientId(m.clientId).setClientHost(m.clientHost)
                    .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopics)).setAssignment(a));
        }
        return d;
    }

    /** ListGroups' entries for share groups matching the (lower-case) state filter; empty = all. */
    public List<ListedGroup> list(Set<String> statesLower) {
        List<ListedGroup> out = new ArrayList<>();
        for (ShareGroup g : groups.values()) {
            String state = g.state().kafkaName;
            if (statesLower.isEmpty() || statesLower.contains(state.toLowerCase(Locale.ROOT))) {
                out.add(new ListedGroup().setGroupId(g.groupId).setProtocolType("share").setGroupState(state)
                        .setGroupType("share"));
            }
        }
        return out;
    }

    /** DeleteGroups for a share group: only an empty one (NON_EMPTY_GROUP otherwise). */
    public Errors delete(String groupId) {
        ShareGroup g = groups.get(groupId);
        if (g == null) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!g.members.isEmpty()) {
            return Errors.NON_EMPTY_GROUP;
        }
        short err = writer.apply(List.of(ShareGroupRecords.tombstone(ShareGroupRecords.GROUP_METADATA, groupId, null)));
        if (err != Errors.NONE.code()) {
            return err == Errors.NOT_LEADER_OR_FOLLOWER.code() ? Errors.NOT_COORDINATOR : Errors.COORDINATOR_NOT_AVAILABLE;
        }
        groups.remove(groupId);
        return Errors.NONE;
    }

    // ---- Load ----------------------------------------------------------------------------------

    /** Applies one share group record of {@code __consumer_offsets} while the shard loads. */
    public void replay(byte[] key, byte[] value) {
        ShareGroupRecords.Key k = ShareGroupRecords.readKey(ByteBuffer.wrap(key));
        if (k.type() == ShareGroupRecords.GROUP_METADATA) {
            if (value == null) {
                groups.remove(k.groupId());
            } else {
                ShareGroup g = groups.computeIfAbsent(k.groupId(), ShareGroup::new);
                g.groupEpoch = ShareGroupRecords.readGroupEpoch(ByteBuffer.wrap(value));
                g.assignmentEpoch = g.groupEpoch;
            }
            return;
        }
        if (value == null) {
            // A member's tombstone of a group not loaded (compaction may have removed the group's
            // records, or its tombstone came first) creates nothing.
            ShareGroup g = groups.get(k.groupId());
            if (g != null && k.type() == ShareGroupRecords.MEMBER_METADATA) {
                g.members.remove(k.memberId());
            }
            return;
        }
        ShareGroup g = groups.computeIfAbsent(k.groupId(), ShareGroup::new);
        ShareMember m = g.members.computeIfAbsent(k.memberId(), ShareMember::new);
        if (k.type() == ShareGroupRecords.MEMBER_METADATA) {
            ShareGroupRecords.MemberValue v = ShareGroupRecords.readMember(ByteBuffer.wrap(value));
            m.rackId = v.rackId();
            m.clientId = v.clientId();
            m.clientHost = v.clientHost();
            m.subscribedTopics = List.copyOf(v.subscribedTopics());
        } else {
            ShareGroupRecords.AssignmentValue v = ShareGroupRecords.readAssignment(ByteBuffer.wrap(value));
            m.memberEpoch = v.memberEpoch();
            m.assignment = v.assignment();
        }
    }

    /** After a load: every member must heartbeat within its session, as after a Kafka coordinator failover. */
    public void scheduleSessions() {
        for (ShareGroup g : groups.values()) {
            for (ShareMember m : g.members.values()) {
                scheduleSession(g, m);
            }
        }
    }

    /** Leadership moved away: the groups go (the members rejoin at the new coordinator). */
    public void unload() {
        groups.clear();
    }
}
