package io.sluice.metadata.statemachine;

import io.sluice.metadata.image.BrokerRegistration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Kafka's replica assignment ({@code AdminUtils.assignReplicasToBrokers}): partition p's first
 * replica (its preferred leader) is broker {@code (p + start) % n}; followers follow at a shift
 * that grows every n partitions, so leaders and followers spread evenly. When every broker has a
 * rack, brokers are ordered alternating racks and a follower goes to a rack that holds no replica
 * yet while one remains. The random start and shift come from the entry's seed, so every replica
 * of the state machine computes the same assignment. Stateless.
 */
final class ReplicaAssigner {
    private ReplicaAssigner() {
    }

    /**
     * @param brokers      live, unfenced brokers sorted by id (size must be ≥ replicationFactor)
     * @param firstPartition id of the first partition to assign (> 0 for CreatePartitions)
     */
    static List<int[]> assign(List<BrokerRegistration> brokers, int partitions, int replicationFactor,
                              int firstPartition, SplittableRandom random) {
        int n = brokers.size();
        boolean rackAware = n > 0 && brokers.stream().allMatch(b -> b.rack().isPresent());
        List<BrokerRegistration> arranged = rackAware ? rackAlternated(brokers) : brokers;
        int start = random.nextInt(n);
        int shift = random.nextInt(n);
        int numRacks = rackAware ? (int) brokers.stream().map(b -> b.rack().get()).distinct().count() : 1;
        List<int[]> out = new ArrayList<>(partitions);
        for (int i = 0; i < partitions; i++) {
            int p = firstPartition + i;
            if (p > 0 && p % n == 0) {
                shift++;
            }
            int first = (p + start) % n;
            int[] replicas = new int[replicationFactor];
            replicas[0] = arranged.get(first).brokerId();
            if (!rackAware) {
                for (int j = 0; j < replicationFactor - 1; j++) {
                    replicas[j + 1] = arranged.get(replicaIndex(first, shift, j, n)).brokerId();
                }
            } else {
                Set<String> racks = new HashSet<>();
                Set<Integer> used = new HashSet<>();
                racks.add(arranged.get(first).rack().get());
                used.add(replicas[0]);
                int k = 0;
                for (int j = 1; j < replicationFactor; j++) {
                    while (true) {
                        BrokerRegistration b = arranged.get(replicaIndex(first, shift * numRacks, k, n));
                        k++;
                        String rack = b.rack().get();
                        if ((!racks.contains(rack) || racks.size() == numRacks)
                            && (!used.contains(b.brokerId()) || used.size() == n)) {
                            replicas[j] = b.brokerId();
                            racks.add(rack);
                            used.add(b.brokerId());
                            break;
                        }
                    }
                }
            }
            out.add(replicas);
        }
        return out;
    }

    private static int replicaIndex(int first, int shift, int j, int n) {
        if (n == 1) {
            return 0;
        }
        int s = 1 + (shift + j) % (n - 1);
        return (first + s) % n;
    }

    /** Brokers ordered rack by rack in turn: r1b1, r2b1, r3b1, r1b2, … (Kafka's getRackAlternatedBrokerList). */
    private static List<BrokerRegistration> rackAlternated(List<BrokerRegistration> brokers) {
        Map<String, List<BrokerRegistration>> byRack = new TreeMap<>();
        for (BrokerRegistration b : brokers) {
            byRack.computeIfAbsent(b.rack().get(), r -> new ArrayList<>()).add(b);
        }
        List<BrokerRegistration> out = new ArrayList<>(brokers.size());
        for (int round = 0; out.size() < brokers.size(); round++) {
            for (List<BrokerRegistration> rack : byRack.values()) {
                if (round < rack.size()) {
                    out.add(rack.get(round));
                }
            }
        }
        return out;
    }
}
