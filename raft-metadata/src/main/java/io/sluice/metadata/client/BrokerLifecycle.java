package io.sluice.metadata.client;

import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.image.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A broker's side of liveness (KIP-631): registers with a fresh incarnation id, then heartbeats
 * every {@code broker.heartbeat.interval.ms} with the offset of its local image. The quorum
 * unfences the broker once that offset has reached the registration. Re-registers when the quorum
 * forgot it (STALE_BROKER_EPOCH, BROKER_ID_NOT_REGISTERED). The first registration names the epoch of
 * the previous incarnation from {@link BrokerEpochFile}, so a restarted broker need not wait for its
 * old session to expire.
 *
 * <p>Owns one scheduler thread (daemon). Thread-safe. Created by
 * {@link io.sluice.metadata.node.MetadataNode#startBroker}; closed by the node.
 */
public final class BrokerLifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycle.class);

    private final MetadataClient client;
    private final int brokerId;
    private final UUID incarnationId = UUID.randomUUID();
    private final List<Endpoint> endpoints;
    private final Optional<String> rack;
    private final long heartbeatIntervalMs;
    private final BrokerEpochFile epochFile;
    private final ScheduledExecutorService scheduler;
    private final CompletableFuture<Void> unfenced = new CompletableFuture<>();
    private volatile long brokerEpoch = -1;
    private volatile boolean fenced = true;
    private volatile boolean paused;
    private volatile boolean shuttingDown;
    private volatile boolean closed;
    private volatile long lastHeartbeatAckMs;

    public BrokerLifecycle(MetadataClient client, int brokerId, List<Endpoint> endpoints, Optional<String> rack,
                           long heartbeatIntervalMs, BrokerEpochFile epochFile) {
        this.client = client;
        this.brokerId = brokerId;
        this.endpoints = List.copyOf(endpoints);
        this.rack = rack;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.epochFile = epochFile;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-lifecycle-" + brokerId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts registration and the heartbeat loop. */
    public void start() {
        scheduler.execute(this::tick);
    }

    public int brokerId() {
        return brokerId;
    }

    public UUID incarnationId() {
        return incarnationId;
    }

    /** The broker epoch from the last successful registration, or -1. */
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /** Whether the quorum considered this broker fenced at the last heartbeat. */
    public boolean isFenced() {
        return fenced;
    }

    /** Completes the first time the broker is unfenced. */
    public CompletableFuture<Void> awaitUnfenced() {
        return unfenced;
    }

    /**
     * Controlled shutdown: asks the quorum to fence this broker now (a heartbeat with wantFence),
     * which moves the leadership of its partitions to other ISR members and takes it out of the
     * ISRs, so that clients move on before the process exits. Heartbeats keep asking for it.
     * Completes with whether the quorum fenced it; never exceptionally.
     */
    public CompletableFuture<Boolean> requestControlledShutdown() {
        shuttingDown = true;
        long epoch = brokerEpoch;
        if (epoch < 0) {
            return CompletableFuture.completedFuture(false);
        }
        return client.submit(new BrokerHeartbeat(brokerId, epoch, client.image().offset(), true))
            .thenApply(r -> r.isSuccess() && r.fenced())
            .exceptionally(e -> false);
    }

    /** Stops (true) or resumes (false) heartbeats without unregistering; for tests and fault injection. */
    public void pauseHeartbeats(boolean pause) {
        this.paused = pause;
    }

    /** Wall-clock ms of the last heartbeat the quorum accepted (for measurements). */
    public long lastHeartbeatAckMs() {
        return lastHeartbeatAckMs;
    }

    private void tick() {
        if (closed) {
            return;
        }
        CompletableFuture<?> step;
        if (paused) {
            step = CompletableFuture.completedFuture(null);
        } else if (brokerEpoch < 0) {
            step = client.submit(new RegisterBroker(brokerId, incarnationId, endpoints, rack, epochFile.previous()))
                .thenAccept(r -> {
                    if (r.isSuccess()) {
                        brokerEpoch = r.brokerEpoch();
                        epochFile.record(r.brokerEpoch());
                        LOG.info("broker {} registered, incarnation {}, broker epoch {}", brokerId, incarnationId,
                            r.brokerEpoch());
                    } else {
                        LOG.warn("broker {} registration failed: {} {}", brokerId, r.errorCode(), r.errorMessage());
                    }
                });
        } else {
            long offset = client.image().offset();
            step = client.submit(new BrokerHeartbeat(brokerId, brokerEpoch, offset, shuttingDown)).thenAccept(r -> {
                if (r.isSuccess()) {
                    lastHeartbeatAckMs = System.currentTimeMillis();
                    boolean wasFenced = fenced;
                    fenced = r.fenced();
                    if (wasFenced && !fenced) {
                        LOG.info("broker {} unfenced", brokerId);
                        unfenced.complete(null);
                    } else if (!wasFenced && fenced) {
                        LOG.warn("broker {} fenced by the quorum", brokerId);
                    }
                } else if (r.errorCode() == ErrorCodes.STALE_BROKER_EPOCH
                    || r.errorCode() == ErrorCodes.BROKER_ID_NOT_REGISTERED) {
                    LOG.warn("broker {} heartbeat rejected ({}), registering again", brokerId, r.errorMessage());
                    brokerEpoch = -1;
                    fenced = true;
                } else {
                    LOG.warn("broker {} heartbeat failed: {} {}", brokerId, r.errorCode(), r.errorMessage());
                }
            });
        }
        step.whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("broker {} lifecycle step failed", brokerId, e);
            }
            if (!closed) {
                // While fenced and registered, heartbeat faster so unfencing follows catch-up closely.
                long delayMs = brokerEpoch >= 0 && fenced && !paused ? Math.min(100, heartbeatIntervalMs)
                    : heartbeatIntervalMs;
                try {
                    scheduler.schedule(this::tick, brokerEpoch < 0 && !paused ? 200 : delayMs, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException ignored) {
                    // closed concurrently
                }
            }
        });
    }

    /** Stops heartbeats (the quorum will fence this broker after the session timeout). */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        epochFile.close();
    }
}
