package io.sluice.server.group;

import io.sluice.server.group.classic.ClassicGroup;
import io.sluice.server.group.classic.ClassicGroupManager;
import io.sluice.server.group.classic.ClassicGroups;
import io.sluice.server.group.classic.ClassicMember;
import io.sluice.server.group.classic.ClassicMembership;
import io.sluice.server.group.classic.GroupState;
import io.sluice.server.group.consumer.ClusterTopics;
import io.sluice.server.group.consumer.ConsumerGroup;
import io.sluice.server.group.consumer.ConsumerGroupDescriptions;
import io.sluice.server.group.consumer.ConsumerGroupManager;
import io.sluice.server.group.consumer.ConsumerGroupRecords;
import io.sluice.server.group.consumer.ConsumerGroupStore;
import io.sluice.server.group.consumer.ConsumerOffsetRules;
import io.sluice.server.group.log.GroupLog;
import io.sluice.server.group.log.GroupRecords;
import io.sluice.server.group.offsets.OffsetManager;
import io.sluice.server.group.runtime.CoordinatorTimer;
import io.sluice.server.group.runtime.GroupConfigLookup;
import io.sluice.server.group.share.ShareGroupConfig;
import io.sluice.server.group.share.ShareGroupRecords;
import io.sluice.server.group.share.ShareGroups;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the coordinator keeps for one partition of {@code __consumer_offsets} led here:
 * its classic and KIP-848 consumer groups, their committed offsets and timers, loaded from the partition's log when
 * leadership arrives. Writes go through its {@link ShardWriter}; the partition is kept small by
 * the log cleaner (it is compacted), so every state change is a keyed record and every removal a
 * tombstone, and {@link #load} gives the same state from a cleaned log. Not thread-safe: owned by
 * the coordinator thread.
 */
public final class GroupShard {

    private static final Logger LOG = LoggerFactory.getLogger(GroupShard.class);

    private final int partition;
    private final GroupConfig config;
    private final GroupLog log;
    private final ShardWriter writer;
    private final LongSupplier clockMs;
    private final CoordinatorTimer timer;
    private final ClassicGroups groups;
    private final ClassicMembership membership;
    private final ClassicGroupManager classic;
    private final OffsetManager offsets;
    private final ConsumerGroupManager consumer;
    private final ShareGroups shareGroups;

    public GroupShard(int partition, GroupConfig config, GroupLog log, LongSupplier clockMs, Executor coordinatorThread,
                      ClusterTopics topics) {
        this(partition, config, ShareGroupConfig.defaults(), log, clockMs, coordinatorThread, topics,
                GroupConfigLookup.NONE, new GroupRebalances());
    }

    /**
     * @param groupConfigs the groups' own configs (kafka-configs --entity-type groups)
     * @param rebalances   the broker's rebalance counts, shared by its shards
     */
    public GroupShard(int partition, GroupConfig config, ShareGroupConfig shareConfig, GroupLog log, LongSupplier clockMs,
                      Executor coordinatorThread, ClusterTopics topics, GroupConfigLookup groupConfigs,
                      GroupRebalances rebalances) {
        this.partition = partition;
        this.config = config;
        this.log = log;
        this.writer = new ShardWriter(partition, log, coordinatorThread);
        this.clockMs = clockMs;
        this.timer = new CoordinatorTimer(clockMs);
        this.groups = new ClassicGroups(clockMs, this::write);
        this.membership = new ClassicMembership(config, groups, timer, clockMs);
        this.classic = new ClassicGroupManager(config, groups, membership, clockMs, rebalances);
        this.consumer = new ConsumerGroupManager(config.consumer(), groupConfigs, topics, timer, groups, membership,
                config.groupMaxSize(), new ConsumerGroupStore(this::write), clockMs, rebalances);
        this.offsets = new OffsetManager(config, groups, membership, new ConsumerOffsetRules(consumer::group), this::write,
                writer::writeInOrder, clockMs);
        this.shareGroups = new ShareGroups(shareConfig, groupConfigs, timer, topics, this::write);
    }

    /** The share groups (KIP-932) whose coordinator is this shard. */
    public ShareGroups shareGroups() {
        return shareGroups;
    }

    public int partition() {
        return partition;
    }

    public ClassicGroupManager classic() {
        return classic;
    }

    public ClassicMembership membership() {
        return membership;
    }

    public OffsetManager offsets() {
        return offsets;
    }

    /** The KIP-848 consumer groups of this shard. */
    public ConsumerGroupManager consumer() {
        return consumer;
    }

    public ClassicGroups groups() {
        return groups;
    }

    public CoordinatorTimer timer() {
        return timer;
    }

    /**
     * Replays the partition's log: groups and offsets as they were last written. The log may have
     * been cleaned: only the latest record of each key is left, at its own offset (offset gaps),
     * and a tombstone older than {@code delete.retention.ms} may be gone too, with every earlier
     * record of its key. So each record stands for its key alone, and a tombstone of something not
     * loaded changes and creates nothing. The cleaner needs no bound of its own for this, as in
     * Kafka: it never cleans the active segment nor past the high watermark, and the shard reads the
     * log only here; a load racing a cleaning stays correct while it takes less than
     * {@code delete.retention.ms} (the bound every reader of a compacted topic has).
     */
    public void load() {
        long start = clockMs.getAsLong();
        int[] n = new int[2];
        log.replay(r -> {
            n[0]++;
            try {
                replay(r);
            } catch (RuntimeException e) {
                // A record this coordinator did not write (e.g. produced by a client, or a newer
                // record type): skipped and logged, so one bad record cannot take every group down.
                n[1]++;
                LOG.warn("Skipping undecodable record #{} of {}-{}: {}", n[0], GroupConfig.OFFSETS_TOPIC, partition,
                        e.toString());
            }
        });
        for (var it = offsets.groupIds(); it.hasNext(); ) {
            String id = it.next();
            if (!consumer.isConsumerGroup(id)) {
                groups.create(id);
            }
        }
        consumer.afterLoad();
        for (ClassicGroup g : groups.all()) {
            membership.scheduleSessions(g);
        }
        shareGroups.scheduleSessions();
        scheduleExpiry();
        LOG.info("Loaded {} classic and {} consumer groups and {} offsets of {}-{} from {} records ({} skipped) in {} ms",
                groups.size(), consumer.groups().size(), offsets.size(), GroupConfig.OFFSETS_TOPIC, partition, n[0], n[1], clockMs.getAsLong() - start);
    }

    private void replay(GroupRecords.Record r) {
        if (ShareGroupRecords.isShareGroupKey(r.key())) {
            shareGroups.replay(r.key(), r.value());
            return;
        }
        if (ConsumerGroupRecords.keyType(r.key()) != -1) {
            ConsumerGroupStore.replay(consumer, r.key(), r.value());
            return;
        }
        GroupRecords.Key key = GroupRecords.readKey(ByteBuffer.wrap(r.key()));
        if (key.isOffsetCommit()) {
            offsets.replay(key.group(), new TopicPartition(key.topic(), key.partition()),
                    r.value() == null ? null : GroupRecords.readOffsetValue(ByteBuffer.wrap(r.value())));
        } else if (r.value() == null) {
            groups.unload(key.group());
        } else {
            groups.load(key.group(), GroupRecords.readGroupValue(ByteBuffer.wrap(r.value())));
        }
    }

    /** Appends records and waits until the ISR has them (see {@link ShardWriter#write}); a Kafka error code. */
    public short write(List<GroupRecords.Record> records) {
        return writer.write(records);
    }

    // ---- Describe, list, delete ---------------------------------------------------------------

    /** DescribeGroups for one group; an unknown group is described as Dead (v6+: GROUP_ID_NOT_FOUND). */
    public DescribedGroup describe(String groupId, short version) {
        if (consumer.isConsumerGroup(groupId)) {
            return ConsumerGroupDescriptions.asDescribedGroup(consumer, consumer.group(groupId), version);
        }
        DescribedGroup d = new DescribedGroup().setGroupId(groupId).setErrorCode(Errors.NONE.code());
        ClassicGroup g = groups.get(groupId);
        if (g == null || g.is(GroupState.DEAD)) {
            d.setGroupState(GroupState.DEAD.kafkaName()).setProtocolType("").setProtocolData("");
            if (version >= 6) {
                d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + groupId + " not found.");
            }
            return d;
        }
        boolean stable = g.is(GroupState.STABLE);
        d.setGroupState(g.state().kafkaName()).setProtocolType(g.protocolType() == null ? "" : g.protocolType())
                .setProtocolData(stable && g.protocolName() != null ? g.protocolName() : "");
        for (ClassicMember m : g.members()) {
            DescribedGroupMember dm = new DescribedGroupMember().setMemberId(m.memberId())
                    .setGroupInstanceId(version >= 4 ? m.groupInstanceId() : null)
                    .setClientId(m.clientId()).setClientHost(m.clientHost());
            if (stable) {
                dm.setMemberMetadata(m.metadata(g.protocolName())).setMemberAssignment(m.assignment());
            } else {
                dm.setMemberMetadata(new byte[0]).setMemberAssignment(new byte[0]);
            }
            d.members().add(dm);
        }
        return d;
    }

    /** Members of this shard's groups by type (classic, consumer, share), for the metrics endpoint. */
    public Map<String, Integer> memberCounts() {
        int classicMembers = 0;
        for (ClassicGroup g : groups.all()) {
            classicMembers += g.size();
        }
        int consumerMembers = 0;
        for (ConsumerGroup g : consumer.groups()) {
            consumerMembers += g.size();
        }
        return Map.of("classic", classicMembers, "consumer", consumerMembers, "share", shareGroups.memberCount());
    }

    /** ListGroups: the groups of this shard matching the state and type filters (empty = all). */
    public List<ListedGroup> list(Set<String> statesLower, Set<String> typesLower) {
        List<ListedGroup> out = new ArrayList<>();
        if (typesLower.isEmpty() || typesLower.contains("share")) {
            out.addAll(shareGroups.list(statesLower));
        }
        if (typesLower.isEmpty() || typesLower.contains("consumer")) {
            for (ConsumerGroup g : consumer.groups()) {
                String state = g.state().kafkaName();
                if (statesLower.isEmpty() || statesLower.contains(state.toLowerCase(Locale.ROOT))) {
                    out.add(new ListedGroup().setGroupId(g.groupId()).setProtocolType("consumer").setGroupState(state)
                            .setGroupType("consumer"));
                }
            }
        }
        if (!typesLower.isEmpty() && !typesLower.contains("classic")) {
            return out;
        }
        for (ClassicGroup g : groups.all()) {
            if (!statesLower.isEmpty() && !statesLower.contains(g.state().kafkaName().toLowerCase(Locale.ROOT))) {
                continue;
            }
            out.add(new ListedGroup().setGroupId(g.groupId()).setProtocolType(g.protocolType() == null ? "" : g.protocolType())
                    .setGroupState(g.state().kafkaName()).setGroupType("classic"));
        }
        return out;
    }

    /** DeleteGroups for one group: only an EMPTY group goes; its offsets and metadata get tombstones. */
    public Errors deleteGroup(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        if (shareGroups.contains(groupId)) {
            return shareGroups.delete(groupId);
        }
        if (consumer.isConsumerGroup(groupId)) {
            return deleteConsumerGroup(consumer.group(groupId));
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null || g.is(GroupState.DEAD)) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (!g.is(GroupState.EMPTY)) {
            return Errors.NON_EMPTY_GROUP;
        }
        List<GroupRecords.Record> records = new ArrayList<>(offsets.tombstones(groupId));
        records.add(ClassicGroups.groupTombstone(groupId));
        short err = write(records);
        if (err != Errors.NONE.code()) {
            return Errors.forCode(err) == Errors.NOT_LEADER_OR_FOLLOWER ? Errors.NOT_COORDINATOR
                    : Errors.COORDINATOR_NOT_AVAILABLE;
        }
        membership.cancelAll(g);
        offsets.forget(groupId);
        groups.remove(g);
        LOG.info("Deleted group {}", groupId);
        return Errors.NONE;
    }

    /** DeleteGroups of a KIP-848 group: only an empty one; its offsets and records get tombstones. */
    private Errors deleteConsumerGroup(ConsumerGroup g) {
        if (g.size() > 0) {
            return Errors.NON_EMPTY_GROUP;
        }
        List<GroupRecords.Record> records = new ArrayList<>(offsets.tombstones(g.groupId()));
        records.addAll(ConsumerGroupStore.groupTombstones(g.groupId()));
        short err = write(records);
        if (err != Errors.NONE.code()) {
            return Errors.forCode(err) == Errors.NOT_LEADER_OR_FOLLOWER ? Errors.NOT_COORDINATOR
                    : Errors.COORDINATOR_NOT_AVAILABLE;
        }
        offsets.forget(g.groupId());
        consumer.forget(g.groupId());
        LOG.info("Deleted consumer group {}", g.groupId());
        return Errors.NONE;
    }

    /** Subscribed topics of a consumer group's members (OffsetDelete's check); unreadable = subscribed to all. */
    public boolean isSubscribed(String groupId, String topic) {
        if (consumer.isConsumerGroup(groupId)) {
            return consumer.isSubscribed(groupId, topic);
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null || g.protocolName() == null) {
            return false;
        }
        for (ClassicMember m : g.members()) {
            try {
                var sub = ConsumerProtocol
                        .deserializeSubscription(ByteBuffer.wrap(m.metadata(g.protocolName())));
                if (sub.topics().contains(topic)) {
                    return true;
                }
            } catch (RuntimeException e) {
                return true;
            }
        }
        return false;
    }

    // ---- Expiry --------------------------------------------------------------------------------

    private void scheduleExpiry() {
        timer.schedule("expire-offsets", config.offsetsRetentionCheckIntervalMs(), () -> {
            expire();
            scheduleExpiry();
        });
    }

    /** Expires offsets past retention and forgets empty groups left with nothing (Kafka's cleanupGroupMetadata). */
    public void expire() {
        Map<String, List<TopicPartition>> expired = new HashMap<>();
        List<GroupRecords.Record> records = new ArrayList<>(offsets.expire(expired, this::isSubscribed));
        List<ClassicGroup> dropped = new ArrayList<>();
        for (ClassicGroup g : groups.all()) {
            if (g.is(GroupState.EMPTY) && g.isEmptyOfMembers()) {
                int left = offsets.offsets(g.groupId()).size() - expired.getOrDefault(g.groupId(), List.of()).size();
                if (left == 0) {
                    records.add(ClassicGroups.groupTombstone(g.groupId()));
                    dropped.add(g);
                }
            }
        }
        int offsetTombstones = records.size() - dropped.size();
        List<String> droppedConsumerGroups = new ArrayList<>();
        for (ConsumerGroup g : consumer.groups()) {
            int left = offsets.offsets(g.groupId()).size() - expired.getOrDefault(g.groupId(), List.of()).size();
            if (g.size() == 0 && left == 0) {
                records.addAll(ConsumerGroupStore.groupTombstones(g.groupId()));
                droppedConsumerGroups.add(g.groupId());
            }
        }
        if (records.isEmpty()) {
            return;
        }
        if (write(records) != Errors.NONE.code()) {
            LOG.warn("Writing {} expiry tombstones to {}-{} failed; retried next round", records.size(),
                    GroupConfig.OFFSETS_TOPIC, partition);
            return;
        }
        offsets.removeExpired(expired);
        for (ClassicGroup g : dropped) {
            membership.cancelAll(g);
            groups.remove(g);
        }
        droppedConsumerGroups.forEach(consumer::forget);
        LOG.info("Expired {} offsets and {} empty groups of {}-{}", offsetTombstones,
                dropped.size() + droppedConsumerGroups.size(), GroupConfig.OFFSETS_TOPIC, partition);
    }

    /** Leadership moved away: every parked request is answered NOT_COORDINATOR and the state dropped. */
    public void unload() {
        shareGroups.unload();
        for (ClassicGroup g : groups.all()) {
            for (ClassicMember m : g.members()) {
                failParked(m);
            }
        }
        timer.clear();
    }

    private static void failParked(ClassicMember m) {
        ClassicGroupManager.failParked(m, Errors.NOT_COORDINATOR);
    }
}
