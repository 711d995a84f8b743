package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * Which partitions the automatic leader rebalance ({@code auto.leader.rebalance.enable}) moves back
 * to their preferred replica, the first in the replica list. Kafka's controller rule: for each
 * broker, the share of the partitions whose preferred replica it is but which it does not lead is
 * its leader imbalance; where that share exceeds {@code leader.imbalance.per.broker.percentage},
 * each of those partitions whose preferred replica is in the ISR and unfenced moves back.
 *
 * <p>Apply uses it on the image being built (so every voter elects the same partitions) and the
 * quorum leader's tick on its latest image (so a balanced cluster writes no entry). Topics are
 * visited by name and brokers by id, so the outcome depends on the image alone. Stateless.
 */
public final class LeaderImbalance {
    /**
     * Elections one rebalance entry makes at most (as Kafka's controller bounds them per run), so one
     * entry's result stays small; the tick submits again while a rebalance hits the bound.
     */
    public static final int ELECTIONS_PER_REBALANCE_MAX = 1_000;

    private LeaderImbalance() {
    }

    /** Per preferred broker: how many partitions prefer it and which of them it does not lead but could. */
    private static final class BrokerShare {
        int preferred;
        int notLed;
        final List<ElectLeaders.PartitionRef> movable = new ArrayList<>();
    }

    /**
     * The partitions to move back to their preferred replica, at most
     * {@link #ELECTIONS_PER_REBALANCE_MAX}, brokers in id order.
     *
     * @param unfenced whether a broker is registered and unfenced
     */
    public static List<ElectLeaders.PartitionRef> partitionsToMove(Collection<TopicImage> topics, IntPredicate unfenced,
                                                                  int imbalancePerBrokerPercentage) {
        List<TopicImage> sorted = new ArrayList<>(topics);
        sorted.sort((a, b) -> a.name().compareTo(b.name()));
        Map<Integer, BrokerShare> shares = new TreeMap<>();
        for (TopicImage t : sorted) {
            for (PartitionImage p : t.partitions()) {
                if (p.replicaCount() == 0) {
                    continue;
                }
                int preferred = p.replicaAt(0);
                BrokerShare share = shares.computeIfAbsent(preferred, b -> new BrokerShare());
                share.preferred++;
                if (p.leader() != preferred) {
                    share.notLed++;
                    if (p.inIsr(preferred) && unfenced.test(preferred)) {
                        share.movable.add(new ElectLeaders.PartitionRef(t.name(), p.partitionId()));
                    }
                }
            }
        }
        List<ElectLeaders.PartitionRef> out = new ArrayList<>();
        for (BrokerShare share : shares.values()) {
            // notLed / preferred > percentage / 100, in integers.
            if ((long) share.notLed * 100 <= (long) imbalancePerBrokerPercentage * share.preferred) {
                continue;
            }
            for (ElectLeaders.PartitionRef ref : share.movable) {
                if (out.size() == ELECTIONS_PER_REBALANCE_MAX) {
                    return out;
                }
                out.add(ref);
            }
        }
        return out;
    }
}
