package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Which partitions the automatic leader rebalance ({@code auto.leader.rebalance.enable}) moves back
 * to their preferred replica, the first in the replica list: as Kafka 4.x's controller does, every
 * partition led elsewhere whose preferred replica is in the ISR and unfenced (the ZooKeeper-era
 * {@code leader.imbalance.per.broker.percentage} threshold is gone from Kafka 4.x).
 *
 * <p>Apply uses it on the image being built (so every voter elects the same partitions) and the
 * quorum leader's tick on its latest image (so a balanced cluster writes no entry). Topics are
 * visited by name, so the outcome depends on the image alone. Stateless.
 */
public final class LeaderImbalance {
    /**
     * Elections one rebalance entry makes at most (as Kafka's controller bounds them per run), so one
     * entry's result stays small; the tick submits again while a rebalance hits the bound.
     */
    public static final int ELECTIONS_PER_REBALANCE_MAX = 1_000;

    private LeaderImbalance() {
    }

    /**
     * The partitions to move back to their preferred replica, at most
     * {@link #ELECTIONS_PER_REBALANCE_MAX}, topics in name order.
     *
     * @param unfenced whether a broker is registered and unfenced
     */
    public static List<ElectLeaders.PartitionRef> partitionsToMove(Collection<TopicImage> topics, IntPredicate unfenced) {
        List<TopicImage> sorted = new ArrayList<>(topics);
        sorted.sort((a, b) -> a.name().compareTo(b.name()));
        List<ElectLeaders.PartitionRef> out = new ArrayList<>();
        for (TopicImage t : sorted) {
            for (PartitionImage p : t.partitions()) {
                if (p.replicaCount() == 0) {
                    continue;
                }
                int preferred = p.replicaAt(0);
                if (p.leader() != preferred && p.inIsr(preferred) && unfenced.test(preferred)) {
                    out.add(new ElectLeaders.PartitionRef(t.name(), p.partitionId()));
                    if (out.size() == ELECTIONS_PER_REBALANCE_MAX) {
                        return out;
                    }
                }
            }
        }
        return out;
    }
}
