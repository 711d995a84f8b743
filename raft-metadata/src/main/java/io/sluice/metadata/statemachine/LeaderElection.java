package io.sluice.metadata.statemachine;

import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Partition leadership rules shared by fencing, unfencing, unregistration and ElectLeaders.
 * Kafka's semantics: a new leader comes from the ISR in replica order and must be unfenced; the
 * leader epoch rises with every leader change (also to "no leader"); the last ISR member stays in
 * the ISR while down so that it can lead again when it returns (KRaft's behaviour); unclean
 * election only where {@code unclean.leader.election.enable} is true. Stateless.
 */
final class LeaderElection {
    static final String UNCLEAN_CONFIG = "unclean.leader.election.enable";

    private LeaderElection() {
    }

    /** Whether unclean election is enabled for a topic: topic config, else cluster default, else false. */
    static boolean uncleanEnabled(ImageBuilder image, TopicImage topic) {
        String v = topic.configs().get(UNCLEAN_CONFIG);
        if (v == null) {
            Map<String, String> cluster = image.brokerConfigs().get("");
            v = cluster == null ? null : cluster.get(UNCLEAN_CONFIG);
        }
        return v != null && Boolean.parseBoolean(v.trim());
    }

    /** First replica, in replica order, that is in {@code isr} and unfenced; -1 if none. */
    static int firstLiveInIsr(ImageBuilder image, PartitionImage p, int[] isr) {
        for (int i = 0; i < p.replicaCount(); i++) {
            int r = p.replicaAt(i);
            if (contains(isr, r) && image.isUnfenced(r)) {
                return r;
            }
        }
        return -1;
    }

    /** First unfenced replica in replica order; -1 if none. */
    static int firstLiveReplica(ImageBuilder image, PartitionImage p) {
        for (int i = 0; i < p.replicaCount(); i++) {
            if (image.isUnfenced(p.replicaAt(i))) {
                return p.replicaAt(i);
            }
        }
        return -1;
    }

    /**
     * A broker went away (fenced or unregistered): it leaves every ISR (unless it is the last
     * member) and every partition it led gets a new leader, or none. Scans all partitions: this
     * happens once per broker failure, not per request.
     */
    static void onBrokerLost(ApplyContext ctx, int brokerId) {
        List<TopicImage> topics = new ArrayList<>(ctx.image.topicsByName().values());
        topics.sort((a, b) -> a.name().compareTo(b.name()));
        for (TopicImage topic : topics) {
            TopicImage t = topic;
            for (int i = 0; i < topic.partitionCount(); i++) {
                PartitionImage p = t.partition(i);
                if (p.leader() != brokerId && !p.inIsr(brokerId)) {
                    continue;
                }
                int[] isr = p.isr();
                int[] shrunk = isr.length > 1 ? remove(isr, brokerId) : isr;
                PartitionImage next;
                if (p.leader() == brokerId) {
                    int leader = firstLiveInIsr(ctx.image, p, shrunk);
                    if (leader >= 0) {
                        next = p.withLeader(leader, shrunk);
                    } else if (uncleanEnabled(ctx.image, t) && (leader = firstLiveReplica(ctx.image, p)) >= 0) {
                        next = p.withLeader(leader, new int[] {leader});
                    } else {
                        next = p.withLeader(PartitionImage.NO_LEADER, shrunk);
                    }
                } else if (shrunk.length != isr.length) {
                    next = p.withIsr(shrunk);
                } else {
                    continue;
                }
                t = ctx.updatePartition(t, next);
            }
        }
    }

    /**
     * A broker became unfenced: leaderless partitions it can lead (it is in the ISR, or unclean
     * election is enabled) get it as leader.
     */
    static void onBrokerUnfenced(ApplyContext ctx, int brokerId) {
        List<TopicImage> topics = new ArrayList<>(ctx.image.topicsByName().values());
        topics.sort((a, b) -> a.name().compareTo(b.name()));
        for (TopicImage topic : topics) {
            TopicImage t = topic;
            for (int i = 0; i < topic.partitionCount(); i++) {
                PartitionImage p = t.partition(i);
                if (p.hasLeader() || !p.isReplica(brokerId)) {
                    continue;
                }
                int[] isr = p.isr();
                int leader = firstLiveInIsr(ctx.image, p, isr);
                if (leader >= 0) {
                    t = ctx.updatePartition(t, p.withLeader(leader, isr));
                } else if (uncleanEnabled(ctx.image, t)) {
                    t = ctx.updatePartition(t, p.withLeader(brokerId, new int[] {brokerId}));
                }
            }
        }
    }

    /**
     * {@code unclean.leader.election.enable} may just have turned on for these topics: each of
     * their leaderless partitions that it now covers gets its first live replica as leader (ISR of
     * that replica alone, leader epoch + 1). Without this an offline partition would wait for some
     * broker to be fenced or unfenced before the new setting counted. Kafka's KRaft controller finds
     * such partitions with a periodic check ({@code unclean.leader.election.interval.ms}, 5 min by
     * default); apply has no timer, so the change that can make a partition eligible is where it is
     * elected. Topics in name order (deterministic).
     */
    static void onUncleanConfigChanged(ApplyContext ctx, List<TopicImage> topics) {
        List<TopicImage> sorted = new ArrayList<>(topics);
        sorted.sort((a, b) -> a.name().compareTo(b.name()));
        for (TopicImage topic : sorted) {
            if (!uncleanEnabled(ctx.image, topic)) {
                continue;
            }
            TopicImage t = topic;
            for (int i = 0; i < topic.partitionCount(); i++) {
                PartitionImage p = t.partition(i);
                int leader;
                if (!p.hasLeader() && (leader = firstLiveReplica(ctx.image, p)) >= 0) {
                    t = ctx.updatePartition(t, p.withLeader(leader, new int[] {leader}));
                }
            }
        }
    }

    static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    static int[] remove(int[] a, int v) {
        return Arrays.stream(a).filter(x -> x != v).toArray();
    }
}
