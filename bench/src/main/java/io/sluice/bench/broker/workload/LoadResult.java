package io.sluice.bench.broker.workload;

/**
 * What one workload measured on one broker in one repetition; one object in results.json.
 * Immutable. Units are in the names: MiB = 2^20 bytes, GiB = 2^30 bytes.
 *
 * @param workload         {@link Workload#id()}
 * @param broker           the target's name
 * @param rep              repetition, from 1
 * @param records          records moved in the measured window (acknowledged, consumed, or received end to end)
 * @param bytes            their value bytes
 * @param seconds          length of the measured window
 * @param recordsPerSec    records / seconds
 * @param mibPerSec        bytes / 2^20 / seconds
 * @param latency          send→ack (produce) or intended send→consume (end to end); null for consume
 * @param brokerCpuSeconds the broker process's user+system CPU in the window
 * @param cpuSecPerGib     brokerCpuSeconds per 2^30 bytes moved
 * @param peakRssBytes     the broker's VmHWM over the workload (reset at its start when the kernel allows)
 * @param rssAnonBytes     the broker's anonymous RSS at the end (RSS without mapped file pages)
 * @param otherCores       CPU (in cores) used by other processes than the broker and the harness during
 *                         the window: how crowded the machine was (NaN if unknown)
 * @param errors           records the client reported failed (or never received, end to end)
 * @param error            why the workload did not complete, or null
 */
public record LoadResult(String workload, String broker, int rep, long records, long bytes, double seconds,
                         double recordsPerSec, double mibPerSec, LatencySummary latency, double brokerCpuSeconds,
                         double cpuSecPerGib, long peakRssBytes, long rssAnonBytes, double otherCores, long errors,
                         String error) {

    public static LoadResult failed(Workload workload, String broker, int rep, String error) {
        return new LoadResult(workload.id(), broker, rep, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, Double.NaN, 0, error);
    }

    public boolean ok() {
        return error == null;
    }
}
