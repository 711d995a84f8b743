package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies AlterPartition (KIP-497, epoch-guarded ISR change; KIP-903 member broker epochs) and
 * ElectLeaders (KIP-460, and the automatic leader rebalance). Stateless.
 */
final class PartitionCommands {
    private PartitionCommands() {
    }

    static AlterPartition.Result alterPartition(ApplyContext ctx, AlterPartition c) {
        BrokerRegistration b = ctx.image.broker(c.brokerId());
        if (b == null || b.brokerEpoch() != c.brokerEpoch()) {
            String msg = b == null ? "Broker " + c.brokerId() + " is not registered"
                : "Expected broker epoch " + b.brokerEpoch() + " but got " + c.brokerEpoch();
            return c.failed(ErrorCodes.STALE_BROKER_EPOCH, msg);
        }
        List<AlterPartition.PartitionOutcome> out = new ArrayList<>(c.changes().size());
        for (AlterPartition.IsrChange ch : c.changes()) {
            out.add(alterOne(ctx, c.brokerId(), ch));
        }
        return new AlterPartition.Result(ErrorCodes.NONE, null, out);
    }

    private static AlterPartition.PartitionOutcome alterOne(ApplyContext ctx, int brokerId, AlterPartition.IsrChange ch) {
        TopicImage t = ctx.image.topic(ch.topicId());
        if (t == null) {
            return outcome(ch, ErrorCodes.UNKNOWN_TOPIC_ID, "Unknown topic id " + ch.topicId(), null);
        }
        PartitionImage p = t.partition(ch.partition());
        if (p == null) {
            return outcome(ch, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition " + t.name() + "-"
                + ch.partition(), null);
        }
        if (p.leader() != brokerId) {
            return outcome(ch, ErrorCodes.NOT_LEADER_OR_FOLLOWER, "Broker " + brokerId + " is not the leader of "
                + t.name() + "-" + ch.partition() + " (leader " + p.leader() + ")", p);
        }
        if (ch.leaderEpoch() != p.leaderEpoch()) {
            return outcome(ch, ErrorCodes.FENCED_LEADER_EPOCH, "Leader epoch " + ch.leaderEpoch()
                + " does not match the current " + p.leaderEpoch(), p);
        }
        if (ch.partitionEpoch() != p.partitionEpoch()) {
            return outcome(ch, ErrorCodes.INVALID_UPDATE_VERSION, "Partition epoch " + ch.partitionEpoch()
                + " does not match the current " + p.partitionEpoch(), p);
        }
        int[] isr = ch.newIsr();
        if (isr.length == 0 || Arrays.stream(isr).distinct().count() != isr.length) {
            return outcome(ch, ErrorCodes.INVALID_REQUEST, "ISR " + Arrays.toString(isr)
                + " is empty or has duplicates", p);
        }
        if (!LeaderElection.contains(isr, brokerId)) {
            return outcome(ch, ErrorCodes.INVALID_REQUEST, "The leader " + brokerId + " must be in the ISR "
                + Arrays.toString(isr), p);
        }
        long[] epochs = ch.newIsrBrokerEpochs();
        for (int i = 0; i < isr.length; i++) {
            int r = isr[i];
            if (!p.isReplica(r)) {
                return outcome(ch, ErrorCodes.INVALID_REQUEST, "Broker " + r + " in ISR " + Arrays.toString(isr)
                    + " is not a replica", p);
            }
            if (!ctx.image.isUnfenced(r)) {
                return outcome(ch, ErrorCodes.INELIGIBLE_REPLICA, "Broker " + r + " in ISR " + Arrays.toString(isr)
                    + " is fenced or not registered", p);
            }
            long registered = ctx.image.broker(r).brokerEpoch();
            if (epochs[i] != AlterPartition.IsrChange.UNKNOWN_BROKER_EPOCH && epochs[i] != registered) {
                // KIP-903: the fetch that made it look caught up came from an earlier incarnation.
                return outcome(ch, ErrorCodes.INELIGIBLE_REPLICA, "Broker " + r + " in ISR " + Arrays.toString(isr)
                    + " has broker epoch " + epochs[i] + " but its registration's is " + registered, p);
            }
        }
        PartitionImage next = p.withIsr(isr);
        ctx.updatePartition(t, next);
        return outcome(ch, ErrorCodes.NONE, null, next);
    }

    private static AlterPartition.PartitionOutcome outcome(AlterPartition.IsrChange ch, short code, String msg,
                                                           PartitionImage state) {
        return new AlterPartition.PartitionOutcome(ch.topicId(), ch.partition(), code, msg, state);
    }

    static ElectLeaders.Result electLeaders(ApplyContext ctx, ElectLeaders c) {
        List<ElectLeaders.PartitionError> out = new ArrayList<>();
        if (c.rebalance()) {
            for (ElectLeaders.PartitionRef ref : LeaderImbalance.partitionsToMove(ctx.image.topicsByName().values(),
                ctx.image::isUnfenced)) {
                out.add(electOne(ctx, ElectLeaders.ElectionType.PREFERRED, ref.topic(), ref.partition()));
            }
        } else if (c.allPartitions()) {
            List<TopicImage> topics = new ArrayList<>(ctx.image.topicsByName().values());
            topics.sort((a, b) -> a.name().compareTo(b.name()));
            for (TopicImage t : topics) {
                for (int p = 0; p < t.partitionCount(); p++) {
                    ElectLeaders.PartitionError e = electOne(ctx, c.electionType(), t.name(), p);
                    if (e.errorCode() != ErrorCodes.ELECTION_NOT_NEEDED) {
                        out.add(e);
                    }
                }
            }
        } else {
            for (ElectLeaders.PartitionRef ref : c.partitions()) {
                out.add(electOne(ctx, c.electionType(), ref.topic(), ref.partition()));
            }
        }
        return new ElectLeaders.Result(ErrorCodes.NONE, null, out);
    }

    private static ElectLeaders.PartitionError electOne(ApplyContext ctx, ElectLeaders.ElectionType type,
                                                        String topic, int partition) {
        TopicImage t = ctx.image.topic(topic);
        PartitionImage p = t == null ? null : t.partition(partition);
        if (p == null) {
            return new ElectLeaders.PartitionError(topic, partition, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
                "This server does not host this topic-partition.");
        }
        if (type == ElectLeaders.ElectionType.PREFERRED) {
            int preferred = p.replicaAt(0);
            if (p.leader() == preferred) {
                return new ElectLeaders.PartitionError(topic, partition, ErrorCodes.ELECTION_NOT_NEEDED,
                    "Leader election not needed for topic partition.");
            }
            if (!p.inIsr(preferred) || !ctx.image.isUnfenced(preferred)) {
                return new ElectLeaders.PartitionError(topic, partition, ErrorCodes.PREFERRED_LEADER_NOT_AVAILABLE,
                    "Failed to elect leader for partition " + topic + "-" + partition
                        + " under strategy PreferredReplicaPartitionLeaderElectionStrategy");
            }
            ctx.updatePartition(t, p.withLeader(preferred, p.isr()));
            return new ElectLeaders.PartitionError(topic, partition, ErrorCodes.NONE, null);
        }
        if (p.hasLeader()) {
            return new ElectLeaders.PartitionError(topic, partition, ErrorCodes.ELECTION_NOT_NEEDED,
                "Leader election not needed for topic partition.");
        }
        int leader = LeaderElection.firstLiveInIsr(ctx.image, p, p.isr());
        if (leader >= 0) {
            ctx.updatePartition(t, p.withLeader(leader, p.isr()));
            return new ElectLeaders.PartitionError(topic, partition, ErrorCodes.NONE, null);
        }
        leader = LeaderElection.firstLiveReplica(ctx.image, p);
        if (leader < 0) {
            return new ElectLeaders.PartitionError(topic, partition, ErrorCodes.ELIGIBLE_LEADERS_NOT_AVAILABLE,
                "Failed to elect leader for partition " + topic + "-" + partition + ": no live replica");
        }
        ctx.updatePartition(t, p.withLeader(leader, new int[] {leader}));
        return new ElectLeaders.PartitionError(topic, partition, ErrorCodes.NONE, null);
    }
}
