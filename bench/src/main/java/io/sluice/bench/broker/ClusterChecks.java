package io.sluice.bench.broker;

import java.time.Duration;

/**
 * The cluster-only steps after the workloads, and their limits; the same for both systems.
 * Immutable.
 *
 * @param isr            run the ISR-stability step
 * @param isrDuration    length of its steady run
 * @param isrRatePerSec  its produce rate; 0 = half the records/s of this cluster's produce acks=all workload
 * @param isrPoll        how often the ISR is described
 * @param isrPartitions  partitions of its topic
 * @param failover       run the failover step
 * @param failoverRuns   kills per repetition
 */
record ClusterChecks(boolean isr, Duration isrDuration, int isrRatePerSec, Duration isrPoll, int isrPartitions,
                     boolean failover, int failoverRuns) {
    /** Step ids, matched by {@code --workloads} like the workloads' ids. */
    static final String ISR_ID = "isr-steady";
    static final String FAILOVER_ID = "failover";
}
