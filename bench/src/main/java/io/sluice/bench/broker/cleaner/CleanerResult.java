package io.sluice.bench.broker.cleaner;

import io.sluice.bench.broker.workload.LatencySummary;

/**
 * What the cleaner step measured on one broker in one repetition; one object in results.json.
 * Immutable. MiB = 2^20 bytes.
 *
 * @param broker            the target's name
 * @param rep               repetition, from 1
 * @param records           records written to the compacted topic
 * @param keys              distinct keys among them (the live records)
 * @param writeSeconds      how long writing them took (acks=1)
 * @param dirtyBytes        bytes of the sealed segments when the cleaning was triggered: the dirty section
 * @param dirtySegments     how many segments that was
 * @param cleanSeconds      from the trigger (the config change acknowledged) until the cleaner's checkpoint
 *                          reached the active segment
 * @param cleanedMibPerSec  dirtyBytes / 2^20 / cleanSeconds
 * @param bytesAfter        bytes of the sealed segments after the cleaning
 * @param cleaningCpuSeconds the broker's CPU during the cleaning (cleaner and the fixed-rate load together)
 * @param otherCores        CPU of other processes during the cleaning (NaN if unknown)
 * @param ratePerSec        records/s of the fixed-rate producer
 * @param without           its send→ack latency (from each record's due time) before the trigger
 * @param during            the same during the cleaning
 * @param failedSends       that producer's failed sends
 * @param error             why the step did not complete, or null
 */
public record CleanerResult(String broker, int rep, long records, long keys, double writeSeconds, long dirtyBytes,
                            int dirtySegments, double cleanSeconds, double cleanedMibPerSec, long bytesAfter,
                            double cleaningCpuSeconds, double otherCores, int ratePerSec, LatencySummary without,
                            LatencySummary during, long failedSends, String error) {

    public static CleanerResult failed(String broker, int rep, String error) {
        return new CleanerResult(broker, rep, 0, 0, 0, 0, 0, 0, 0, 0, 0, Double.NaN, 0, null, null, 0, error);
    }

    public boolean ok() {
        return error == null;
    }

    /** p99 during the cleaning over p99 without it; NaN without both. */
    public double p99Ratio() {
        return without == null || during == null || without.p99Ms() <= 0 ? Double.NaN : during.p99Ms() / without.p99Ms();
    }
}
