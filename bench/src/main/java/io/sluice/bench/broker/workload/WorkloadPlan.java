package io.sluice.bench.broker.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The workload lists of each mode. Full runs every combination the issue names; quick keeps one
 * representative of each dimension so that the whole run takes about five minutes; smoke proves
 * the harness end to end in seconds. Stateless.
 */
public final class WorkloadPlan {
    private WorkloadPlan() {
    }

    /** Every producer variant, the consumer and each end-to-end rate, at each partition count. */
    public static List<Workload> full(List<Integer> partitionCounts, List<Integer> ratesPerSec) {
        List<Workload> plan = new ArrayList<>();
        for (int partitions : partitionCounts) {
            for (String acks : List.of("1", "all")) {
                plan.add(Workload.produce(partitions, acks, 0));
                plan.add(Workload.produce(partitions, acks, 65_536));
            }
        }
        partitionCounts.forEach(p -> plan.add(Workload.consume(p)));
        for (int partitions : partitionCounts) {
            ratesPerSec.forEach(rate -> plan.add(Workload.endToEnd(partitions, rate)));
        }
        return plan;
    }

    /**
     * The four producer variants at the middle partition count, the default producer at the other
     * counts, the consumer at every count, and both end-to-end rates at the middle count.
     */
    public static List<Workload> quick(List<Integer> partitionCounts, List<Integer> ratesPerSec) {
        int middle = partitionCounts.get(partitionCounts.size() / 2);
        List<Workload> plan = new ArrayList<>();
        for (String acks : List.of("1", "all")) {
            plan.add(Workload.produce(middle, acks, 0));
            plan.add(Workload.produce(middle, acks, 65_536));
        }
        partitionCounts.stream().filter(p -> p != middle).forEach(p -> plan.add(Workload.produce(p, "1", 0)));
        partitionCounts.forEach(p -> plan.add(Workload.consume(p)));
        ratesPerSec.forEach(rate -> plan.add(Workload.endToEnd(middle, rate)));
        return plan;
    }

    /** One of each kind, the smallest partition count first: proves the harness, measures little. */
    public static List<Workload> smoke(List<Integer> partitionCounts, List<Integer> ratesPerSec) {
        int first = partitionCounts.get(0);
        int last = partitionCounts.get(partitionCounts.size() - 1);
        return List.of(Workload.produce(first, "1", 0), Workload.produce(last, "all", 65_536),
                Workload.consume(last), Workload.endToEnd(first, ratesPerSec.get(0)));
    }

    /**
     * A cluster's workloads at each partition count: the acks=all producer (RF = nodes) and each
     * end-to-end rate; full adds the 64 KiB batch; smoke keeps one producer and the first rate.
     */
    public static List<Workload> cluster(String mode, List<Integer> partitionCounts, List<Integer> ratesPerSec) {
        List<Workload> plan = new ArrayList<>();
        for (int partitions : partitionCounts) {
            plan.add(Workload.produce(partitions, "all", 0));
            if (mode.equals("full")) {
                plan.add(Workload.produce(partitions, "all", 65_536));
            }
        }
        for (int partitions : partitionCounts) {
            for (int rate : mode.equals("smoke") ? ratesPerSec.subList(0, 1) : ratesPerSec) {
                plan.add(Workload.endToEnd(partitions, rate));
            }
        }
        return plan;
    }

    /**
     * The group workloads ({@code --groups}): one member joining a group of ten, with the consumer
     * protocol (KIP-848) and the classic one, and share-group consume with 1, 3 and 10 consumers
     * on one partition.
     */
    public static List<Workload> groups(List<Integer> partitionCounts) {
        int partitions = partitionCounts.get(partitionCounts.size() - 1);
        return List.of(Workload.rebalance("consumer", 10, partitions), Workload.rebalance("classic", 10, partitions),
                Workload.shareConsume(1), Workload.shareConsume(3), Workload.shareConsume(10));
    }

    /** Keeps the workloads whose id matches {@code regex} somewhere (e.g. {@code produce|e2e}). */
    public static List<Workload> filter(List<Workload> plan, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return plan.stream().filter(w -> pattern.matcher(w.id()).find()).toList();
    }
}
