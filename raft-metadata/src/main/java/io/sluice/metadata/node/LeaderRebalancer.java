package io.sluice.metadata.node;

import io.sluice.metadata.client.MetadataClient;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.statemachine.LeaderImbalance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The quorum leader's automatic leader rebalance ({@code auto.leader.rebalance.enable}, every
 * {@code leader.imbalance.check.interval.seconds}): when its image shows a partition off its
 * preferred replica that could move back, it submits the rebalance
 * ({@link ElectLeaders#automaticRebalance}), and apply picks the partitions again from the image of that
 * entry, so the outcome is deterministic whatever this node saw. A balanced cluster writes
 * nothing. Runs on the liveness ticker thread; the in-flight flag is shared with the submit's
 * completion. Thread-safe.
 */
final class LeaderRebalancer {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderRebalancer.class);
    private static final int LOGGED_PARTITIONS_MAX = 10;

    private final MetadataClient client;
    private final Supplier<MetadataImage> image;
    private final BooleanSupplier isQuorumLeader;
    /** Where a rebalance that hit its bound runs again at once: the ticker. */
    private final Executor again;
    private final AtomicBoolean inFlight = new AtomicBoolean();

    LeaderRebalancer(MetadataClient client, Supplier<MetadataImage> image, BooleanSupplier isQuorumLeader,
                     Executor again) {
        this.client = client;
        this.image = image;
        this.isQuorumLeader = isQuorumLeader;
        this.again = again;
    }

    void tick() {
        try {
            if (!isQuorumLeader.getAsBoolean() || inFlight.get()) {
                return;
            }
            MetadataImage img = image.get();
            if (LeaderImbalance.partitionsToMove(img.topics(), img::isUnfenced).isEmpty()) {
                return;
            }
            inFlight.set(true);
            client.submit(ElectLeaders.automaticRebalance()).whenComplete((r, e) -> {
                inFlight.set(false);
                if (r == null || r.errorCode() != ErrorCodes.NONE) {
                    LOG.warn("leader rebalance failed: {}", r != null ? r.errorMessage() : String.valueOf(e));
                    return;
                }
                LOG.info("leader rebalance: {} partition(s) back to their preferred replica, e.g. {}",
                    r.partitions().size(), r.partitions().stream().limit(LOGGED_PARTITIONS_MAX)
                        .map(p -> p.topic() + "-" + p.partition() + (p.errorCode() == ErrorCodes.NONE ? "" : " " + p.errorCode()))
                        .toList());
                if (r.partitions().size() >= LeaderImbalance.ELECTIONS_PER_REBALANCE_MAX) {
                    try {
                        again.execute(this::tick);
                    } catch (RejectedExecutionException closed) {
                        // the node is closing
                    }
                }
            });
        } catch (RuntimeException e) {
            inFlight.set(false);
            LOG.warn("leader rebalance check failed", e);
        }
    }
}
