package io.sluice.bench.broker.workload;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the running workload is doing right now, for the progress line: its phase and a record
 * counter. Written by the load threads, read by the progress thread; thread-safe.
 */
public final class LiveStats {
    private final AtomicLong records = new AtomicLong();
    private volatile String phase = "idle";
    private volatile long phaseStartNs = System.nanoTime();
    private volatile long phaseLengthNs;

    /** A new phase ("warmup", "measure", "prewrite", ...), expected to last about {@code lengthNs} (0: unknown). */
    public void phase(String name, long lengthNs) {
        phase = name;
        phaseLengthNs = lengthNs;
        phaseStartNs = System.nanoTime();
    }

    public void addRecords(long count) {
        records.addAndGet(count);
    }

    public long records() {
        return records.get();
    }

    public String phase() {
        return phase;
    }

    public long phaseElapsedNs() {
        return System.nanoTime() - phaseStartNs;
    }

    public long phaseLengthNs() {
        return phaseLengthNs;
    }
}
