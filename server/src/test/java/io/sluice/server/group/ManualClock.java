package io.sluice.server.group;

import java.util.function.LongSupplier;

/** A clock tests step by hand. */
final class ManualClock implements LongSupplier {
    private long nowMs = 1_000_000L;

    @Override
    public long getAsLong() {
        return nowMs;
    }

    void advance(long ms) {
        nowMs += ms;
    }
}
