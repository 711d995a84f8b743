package io.sluice.server.group.consumer;

import io.sluice.server.group.classic.ClassicGroup;
import io.sluice.server.group.classic.ClassicGroupManager;
import io.sluice.server.group.classic.ClassicGroups;
import io.sluice.server.group.classic.ClassicMember;
import io.sluice.server.group.classic.ClassicMembership;
import io.sluice.server.group.consumer.ConsumerGroupManager.Refused;
import io.sluice.server.group.log.GroupRecords;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KIP-848's online migration between the two group types, as Kafka's GroupMetadataManager does it
 * ({@code group.consumer.migration.policy}). Upgrade: the first ConsumerGroupHeartbeat to a live
 * classic group whose members all use the "consumer" protocol type turns it into a consumer group;
 * the classic members stay, as classic-protocol members at the classic generation, owning (and
 * targeted at) what the classic assignment gave them, so the new member's rebalance revokes before
 * it assigns. Downgrade: when the last consumer-protocol member of a group leaves and classic
 * members remain, the group becomes a classic group again (generation = group epoch, each member's
 * target assignment as its classic assignment) and rebalances. Each conversion is one batch:
 * tombstones of the old type's records, then the new type's records, so a reload sees the right
 * type. Owned by the coordinator thread; not thread-safe.
 */
final class GroupMigration {

    private static final Logger LOG = LoggerFactory.getLogger(GroupMigration.class);

    private final ConsumerGroupConfig config;
    private final int classicMaxSize;
    private final ClusterTopics topics;
    private final ClassicGroups classicGroups;
    private final ClassicMembership classicMembership;
    private final ConsumerGroupStore store;
    private final LongSupplier clockMs;

    GroupMigration(ConsumerGroupConfig config, int classicMaxSize, ClusterTopics topics, ClassicGroups classicGroups,
                   ClassicMembership classicMembership, ConsumerGroupStore store, LongSupplier clockMs) {
        this.config = config;
        this.classicMaxSize = classicMaxSize;
        this.topics = topics;
        this.classicGroups = classicGroups;
        this.classicMembership = classicMembership;
        this.store = store;
        this.clockMs = clockMs;
    }

    /**
     * The consumer group a live classic group becomes (not yet stored nor registered), or the
     * refusal Kafka gives: GROUP_ID_NOT_FOUND when the policy forbids upgrades, a member does not use
     * the consumer protocol type, the group has more members than {@code group.consumer.max.size},
     * or a member's ConsumerProtocol bytes do not parse.
     */
    ConsumerGroup upgrade(ClassicGroup classic) {
        String id = classic.groupId();
        if (!config.migrationPolicy().upgradeEnabled()) {
            throw refused(id, "the online upgrade is disabled (group.consumer.migration.policy="
                    + config.migrationPolicy().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        if (!ConsumerProtocol.PROTOCOL_TYPE.equals(classic.protocolType())) {
            throw refused(id, "the group does not use the consumer embedded protocol");
        }
        if (classic.size() > config.maxSize()) {
            throw refused(id, "the group size exceeds the consumer group maximum size (group.consumer.max.size="
                    + config.maxSize() + ")");
        }
        ConsumerGroup g = new ConsumerGroup(id);
        g.groupEpoch(classic.generationId());
        Map<String, Map<Uuid, Set<Integer>>> target = new LinkedHashMap<>();
        try {
            for (ClassicMember cm : classic.members()) {
                Map<Uuid, Set<Integer>> owned = ClassicAssignments.fromAssignment(cm.assignment(), topics);
                ConsumerPartitionAssignor.Subscription sub = ClassicAssignments.subscription(
                        cm.metadata(classic.protocolName()));
                ConsumerMember m = new ConsumerMember(cm.memberId(), cm.groupInstanceId(), sub.rackId().orElse(null),
                        cm.clientId(), cm.clientHost(), cm.rebalanceTimeoutMs(), null,
                        sub.topics().stream().sorted().distinct().toList(), null, classic.generationId(),
                        classic.generationId(), MemberState.STABLE, owned, TopicPartitions.NONE,
                        ClassicMemberMetadata.of(cm.sessionTimeoutMs(), cm.protocols()));
                g.put(m);
                target.put(m.memberId(), owned);
            }
        } catch (RuntimeException e) {
            LOG.warn("[GroupId {}] Cannot upgrade the classic group: its embedded consumer protocol is malformed: {}",
                    id, e.toString());
            throw new Refused(Errors.GROUP_ID_NOT_FOUND, "Cannot upgrade the classic group " + id
                    + " to consumer group because the embedded consumer protocol is malformed.");
        }
        g.target(classic.generationId(), target);
        g.subscribedTopics(Subscriptions.resolve(g, topics), topics.version());
        return g;
    }

    /** The batch that starts an upgrade: the classic group's tombstone (its offsets stay). */
    static List<GroupRecords.Record> upgradePrefix(ClassicGroup classic) {
        return List.of(ClassicGroups.groupTombstone(classic.groupId()));
    }

    /** After the upgrade is stored: the classic group goes; members parked in a rebalance are told to rejoin. */
    void upgraded(ClassicGroup classic) {
        for (ClassicMember m : classic.members()) {
            ClassicGroupManager.failParked(m, Errors.REBALANCE_IN_PROGRESS);
        }
        classicMembership.cancelAll(classic);
        classicGroups.remove(classic);
        LOG.info("[GroupId {}] Upgraded the classic group to a consumer group at epoch {} with {} classic members.",
                classic.groupId(), classic.generationId(), classic.size());
    }

    /** Kafka's rule: the others all speak the classic protocol, some remain, the policy and classic size allow. */
    boolean shouldDowngrade(ConsumerGroup g, ConsumerMember leaving) {
        for (ConsumerMember m : g.members()) {
            if (!m.memberId().equals(leaving.memberId()) && !m.usesClassicProtocol()) {
                return false;
            }
        }
        if (g.size() <= 1) {
            return false;
        }
        if (!config.migrationPolicy().downgradeEnabled()) {
            LOG.info("[GroupId {}] Cannot downgrade the consumer group to a classic group: the online downgrade is "
                    + "disabled (group.consumer.migration.policy).", g.groupId());
            return false;
        }
        if (g.size() - 1 > classicMaxSize) {
            LOG.info("[GroupId {}] Cannot downgrade the consumer group to a classic group: {} members are more than "
                    + "group.max.size {}.", g.groupId(), g.size() - 1, classicMaxSize);
            return false;
        }
        return true;
    }

    /**
     * Writes the downgrade (the consumer group's tombstones, then the classic group record) and, once
     * stored, registers the classic group and starts its rebalance. The caller forgets the consumer
     * group when this answers NONE.
     */
    Errors downgrade(ConsumerGroup g, ConsumerMember leaving) {
        return convert(g, leaving.memberId(), true);
    }

    /**
     * Kafka's other downgrade: a classic static member took over the instance id of the last
     * consumer-protocol member (its JoinGroup already stored); the group becomes classic with no
     * rebalance, the new incarnation holding what the old one was targeted at.
     */
    boolean shouldDowngradeAfterReplacement(ConsumerGroup g) {
        for (ConsumerMember m : g.members()) {
            if (!m.usesClassicProtocol()) {
                return false;
            }
        }
        return g.size() > 0 && config.migrationPolicy().downgradeEnabled() && g.size() <= classicMaxSize;
    }

    Errors downgradeAfterReplacement(ConsumerGroup g) {
        return convert(g, null, false);
    }

    private Errors convert(ConsumerGroup g, String leavingMemberId, boolean rebalance) {
        List<ConsumerMember> remaining = new ArrayList<>();
        g.members().forEach(m -> {
            if (!m.memberId().equals(leavingMemberId)) {
                remaining.add(m);
            }
        });
        String protocol = selectProtocol(remaining);
        List<GroupRecords.MemberValue> members = new ArrayList<>();
        for (ConsumerMember m : remaining) {
            byte[] subscription = m.classic().byName().get(protocol);
            members.add(new GroupRecords.MemberValue(m.memberId(), m.instanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.classic().sessionTimeoutMs(), subscription,
                    ClassicAssignments.toAssignment(g.targetOf(m.memberId()), topics, subscription)));
        }
        GroupRecords.GroupValue value = new GroupRecords.GroupValue(ConsumerProtocol.PROTOCOL_TYPE, g.groupEpoch(),
                protocol, remaining.get(0).memberId(), clockMs.getAsLong(), members);
        List<GroupRecords.Record> records = new ArrayList<>(ConsumerGroupStore.conversionTombstones(g));
        records.add(new GroupRecords.Record(GroupRecords.groupMetadataKey(g.groupId()),
                GroupRecords.groupMetadataValue(value)));
        Errors e = store.write(records);
        if (e != Errors.NONE) {
            return e;
        }
        ClassicGroup classic = classicGroups.load(g.groupId(), value);
        classicMembership.scheduleSessions(classic);
        LOG.info("[GroupId {}] Downgraded the consumer group to a classic group at generation {} with {} members: "
                + "the last member using the consumer protocol {}.", g.groupId(), g.groupEpoch(), remaining.size(),
                leavingMemberId != null ? "(" + leavingMemberId + ") left" : "was replaced by a classic static member");
        if (rebalance) {
            classicMembership.prepareRebalance(classic, "Downgrade group " + g.groupId() + " from consumer to classic.");
        }
        return Errors.NONE;
    }

    /** Kafka's ClassicGroup.selectProtocol: each member votes for its first protocol all support. */
    private static String selectProtocol(List<ConsumerMember> members) {
        Set<String> common = null;
        for (ConsumerMember m : members) {
            Set<String> names = new HashSet<>(m.classic().byName().keySet());
            if (common == null) {
                common = names;
            } else {
                common.retainAll(names);
            }
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ConsumerMember m : members) {
            for (String p : m.classic().byName().keySet()) {
                if (common.contains(p)) {
                    votes.merge(p, 1, Integer::sum);
                    break;
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException("no protocol common to the classic members " + members));
    }

    private static Refused refused(String groupId, String why) {
        LOG.info("[GroupId {}] Cannot upgrade the classic group to a consumer group: {}.", groupId, why);
        return new Refused(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId
                + " is not a consumer group (" + why + ").");
    }
}
