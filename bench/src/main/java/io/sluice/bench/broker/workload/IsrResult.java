package io.sluice.bench.broker.workload;

import java.util.List;

/**
 * What one ISR-stability run measured on one cluster in one repetition; one object in results.json.
 * Immutable.
 *
 * @param broker           the target's name
 * @param rep              repetition, from 1
 * @param partitions       partitions of the topic (replication factor = nodes)
 * @param targetPerSec     the fixed produce rate asked for (half the measured maximum, or given)
 * @param achievedPerSec   records acknowledged per second of the window
 * @param seconds          length of the steady run
 * @param acked            records acknowledged (acks=all)
 * @param failed           records the client reported failed
 * @param observations     ISR observations (Admin describe calls that answered)
 * @param observeErrors    describe calls that failed or timed out
 * @param shrinks          ISR shrinks seen (per partition, {@link IsrShrinkCounter})
 * @param expands          ISR expands seen
 * @param minIsrSize       the smallest ISR seen
 * @param events           the first shrinks and expands, with their time into the run
 * @param brokerCpuSeconds CPU of all nodes over the run
 * @param peakRssBytes     the largest node's VmHWM over the run
 * @param otherCores       CPU other processes used meanwhile (NaN if unknown)
 * @param error            why the run did not complete, or null
 */
public record IsrResult(String broker, int rep, int partitions, double targetPerSec, double achievedPerSec,
                        double seconds, long acked, long failed, int observations, int observeErrors, int shrinks,
                        int expands, int minIsrSize, List<String> events, double brokerCpuSeconds, long peakRssBytes,
                        double otherCores, String error) {

    public static IsrResult failed(String broker, int rep, int partitions, double targetPerSec, String error) {
        return new IsrResult(broker, rep, partitions, targetPerSec, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), 0, 0,
                Double.NaN, error);
    }

    public boolean ok() {
        return error == null;
    }
}
