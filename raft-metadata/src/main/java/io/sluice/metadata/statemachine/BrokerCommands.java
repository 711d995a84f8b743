package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AllocateProducerIds;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.command.SimpleResult;
import io.sluice.metadata.command.UpdateFeatures;
import io.sluice.metadata.image.BrokerRegistration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies the broker lifecycle commands (KIP-631): registration, heartbeats, fencing, producer id
 * blocks and features. Deterministic: time is the leader's stamp in {@link ApplyContext}. Stateless.
 */
final class BrokerCommands {
    private BrokerCommands() {
    }

    static RegisterBroker.Result register(ApplyContext ctx, RegisterBroker c) {
        if (c.brokerId() < 0) {
            return new RegisterBroker.Result(ErrorCodes.INVALID_REGISTRATION, "broker id must be >= 0", -1);
        }
        BrokerRegistration old = ctx.image.broker(c.brokerId());
        if (old != null) {
            if (old.incarnationId().equals(c.incarnationId())) {
                // A retried registration of the same process: answer as before.
                return new RegisterBroker.Result(ErrorCodes.NONE, null, old.brokerEpoch());
            }
            boolean sessionLive = !old.fenced() && ctx.nowMs - old.lastHeartbeatMs() <= ctx.sessionTimeoutMs;
            boolean succeedsOld = c.previousBrokerEpoch() == old.brokerEpoch();
            if (sessionLive && !succeedsOld) {
                return new RegisterBroker.Result(ErrorCodes.DUPLICATE_BROKER_REGISTRATION,
                    "Another broker is registered with id " + c.brokerId() + " (incarnation " + old.incarnationId()
                        + ") and its session has not expired", -1);
            }
        }
        BrokerRegistration b = new BrokerRegistration(c.brokerId(), c.incarnationId(), ctx.offset, c.endpoints(),
            c.rack(), true, ctx.nowMs);
        ctx.image.putBroker(b);
        ctx.delta.brokerChanged(c.brokerId());
        if (old != null && !old.fenced()) {
            LeaderElection.onBrokerLost(ctx, c.brokerId());
        }
        return new RegisterBroker.Result(ErrorCodes.NONE, null, ctx.offset);
    }

    static BrokerHeartbeat.Result heartbeat(ApplyContext ctx, BrokerHeartbeat c) {
        BrokerRegistration b = ctx.image.broker(c.brokerId());
        if (b == null) {
            return new BrokerHeartbeat.Result(ErrorCodes.BROKER_ID_NOT_REGISTERED,
                "Broker " + c.brokerId() + " is not registered", false, true);
        }
        if (b.brokerEpoch() != c.brokerEpoch()) {
            return new BrokerHeartbeat.Result(ErrorCodes.STALE_BROKER_EPOCH, "Expected broker epoch "
                + b.brokerEpoch() + " but got " + c.brokerEpoch(), false, b.fenced());
        }
        boolean caughtUp = c.currentMetadataOffset() >= b.brokerEpoch();
        BrokerRegistration next = b.withLastHeartbeatMs(ctx.nowMs);
        if (b.fenced() && caughtUp && !c.wantFence()) {
            next = next.withFenced(false);
        } else if (!b.fenced() && c.wantFence()) {
            next = next.withFenced(true);
        }
        ctx.image.putBroker(next);
        if (next.fenced() != b.fenced()) {
            ctx.delta.brokerChanged(b.brokerId());
            if (next.fenced()) {
                LeaderElection.onBrokerLost(ctx, b.brokerId());
            } else {
                LeaderElection.onBrokerUnfenced(ctx, b.brokerId());
            }
        }
        return new BrokerHeartbeat.Result(ErrorCodes.NONE, null, caughtUp, next.fenced());
    }

    static SimpleResult unregister(ApplyContext ctx, int brokerId) {
        BrokerRegistration b = ctx.image.broker(brokerId);
        if (b == null) {
            return new SimpleResult(ErrorCodes.BROKER_ID_NOT_REGISTERED, "Broker " + brokerId + " is not registered");
        }
        ctx.image.removeBroker(brokerId);
        ctx.delta.brokerChanged(brokerId);
        LeaderElection.onBrokerLost(ctx, brokerId);
        return SimpleResult.OK;
    }

    static FenceExpiredBrokers.Result fenceExpired(ApplyContext ctx, FenceExpiredBrokers c) {
        if (c.sessionTimeoutMs() <= 0) {
            return new FenceExpiredBrokers.Result(ErrorCodes.INVALID_REQUEST, "sessionTimeoutMs must be > 0",
                List.of());
        }
        List<Integer> ids = new ArrayList<>(ctx.image.brokers().keySet());
        ids.sort(Integer::compare);
        List<Integer> fenced = new ArrayList<>();
        for (int id : ids) {
            BrokerRegistration b = ctx.image.broker(id);
            long sessionFromMs = Math.max(b.lastHeartbeatMs(), c.leaderSinceMs());
            if (!b.fenced() && ctx.nowMs - sessionFromMs > c.sessionTimeoutMs()) {
                ctx.image.putBroker(b.withFenced(true));
                ctx.delta.brokerChanged(id);
                LeaderElection.onBrokerLost(ctx, id);
                fenced.add(id);
            }
        }
        return new FenceExpiredBrokers.Result(ErrorCodes.NONE, null, fenced);
    }

    static AllocateProducerIds.Result allocateProducerIds(ApplyContext ctx, AllocateProducerIds c) {
        BrokerRegistration b = ctx.image.broker(c.brokerId());
        if (b == null) {
            return new AllocateProducerIds.Result(ErrorCodes.BROKER_ID_NOT_REGISTERED,
                "Broker " + c.brokerId() + " is not registered", -1, 0);
        }
        if (b.brokerEpoch() != c.brokerEpoch()) {
            return new AllocateProducerIds.Result(ErrorCodes.STALE_BROKER_EPOCH, "Expected broker epoch "
                + b.brokerEpoch() + " but got " + c.brokerEpoch(), -1, 0);
        }
        long first = ctx.image.nextProducerId();
        if (first > Long.MAX_VALUE - AllocateProducerIds.BLOCK_SIZE) {
            return new AllocateProducerIds.Result(ErrorCodes.UNKNOWN_SERVER_ERROR, "Exhausted all producer ids",
                -1, 0);
        }
        ctx.image.nextProducerId(first + AllocateProducerIds.BLOCK_SIZE);
        return new AllocateProducerIds.Result(ErrorCodes.NONE, null, first, AllocateProducerIds.BLOCK_SIZE);
    }

    static SimpleResult updateFeatures(ApplyContext ctx, UpdateFeatures c) {
        for (Map.Entry<String, Short> e : c.levels().entrySet()) {
            if (e.getKey().isEmpty() || e.getValue() < 0) {
                return new SimpleResult(ErrorCodes.INVALID_REQUEST, "bad feature level " + e);
            }
        }
        c.levels().forEach(ctx.image::putFeature);
        return SimpleResult.OK;
    }
}
