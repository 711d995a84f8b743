package io.sluice.replication.quota;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;

/** A clock tests step; Kafka's {@code Time}. Thread-safe: the fetcher thread reads what the test steps. */
public final class SteppedTime implements Time {
    private volatile long nowMs = 1_000_000;

    public void step(long ms) {
        nowMs += ms;
    }

    @Override
    public long milliseconds() {
        return nowMs;
    }

    @Override
    public long nanoseconds() {
        return TimeUnit.MILLISECONDS.toNanos(nowMs);
    }

    @Override
    public void sleep(long ms) {
        step(ms);
    }
}
