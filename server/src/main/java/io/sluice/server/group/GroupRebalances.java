package io.sluice.server.group;

import java.util.concurrent.atomic.LongAdder;

/**
 * Rebalances of the groups coordinated on this broker since it started, as Kafka's
 * GroupCoordinatorMetrics counts them: a classic group's rebalance when its leader's assignment is
 * stored and the group turns Stable ({@code CompletedRebalances}), a consumer group's (KIP-848) when a
 * heartbeat bumps its group epoch ({@code ConsumerGroupRebalances}). Owned by the
 * {@link GroupCoordinator}, shared by its shards, so the counts survive a coordinator partition
 * moving away. Thread-safe: written on coordinator threads, read at scrape time.
 */
public final class GroupRebalances {
    private final LongAdder classic = new LongAdder();
    private final LongAdder consumer = new LongAdder();

    public void classicCompleted() {
        classic.increment();
    }

    public void consumerGroupEpochBumped() {
        consumer.increment();
    }

    public long classic() {
        return classic.sum();
    }

    public long consumer() {
        return consumer.sum();
    }
}
