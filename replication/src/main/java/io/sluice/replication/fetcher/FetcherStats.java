package io.sluice.replication.fetcher;

import java.util.concurrent.atomic.LongAdder;

/**
 * What this broker's replica fetchers did, summed over them (Kafka's FetcherStats, for the
 * metrics endpoint): fetch requests sent, those that failed, and record bytes appended from
 * leaders. Thread-safe; written by every fetcher thread without contention.
 */
public final class FetcherStats {

    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    void requested() {
        requests.increment();
    }

    void failed() {
        failures.increment();
    }

    void appended(int recordBytes) {
        bytes.add(recordBytes);
    }

    public long requests() {
        return requests.sum();
    }

    public long failures() {
        return failures.sum();
    }

    public long bytes() {
        return bytes.sum();
    }
}
