package io.sluice.server.handler;

import io.sluice.metadata.command.UpdateFeatures;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.FeatureLevels;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UpdateFeatures v0-2 ({@code kafka-features upgrade / downgrade / disable}, KIP-584 and KIP-778's
 * upgrade types). Of the features Sluice reports ({@link FeatureLevels}) only {@code share.version}
 * changes: 1 serves share groups (KIP-932), 0 stops serving them. The level is kept by the metadata
 * quorum, so every broker reads it at its next request. Checked as Kafka's controller checks an
 * update, all of a request's or none (INVALID_UPDATE_VERSION with Kafka's message): a feature
 * Sluice does not know, a level outside its supported range, a level of a feature Sluice serves at
 * one level only, a downgrade without a downgrade type (v1+) or without {@code AllowDowngrade} (v0).
 * share.version cannot go below this broker's {@code sluice.share.version}, its floor. v1+
 * {@code ValidateOnly} checks and changes nothing. v2 answers with the top-level error only.
 * Thread-safe.
 */
final class UpdateFeaturesHandler implements ApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateFeaturesHandler.class);
    private static final byte UPGRADE = 1;

    private final HandlerContext ctx;

    UpdateFeaturesHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        UpdateFeaturesRequestData req = request.bodyAs(UpdateFeaturesRequestData.class);
        short version = request.apiVersion();
        int floor = ctx.config().getInt(ServerConfigDef.SHARE_VERSION);
        short shareVersion = FeatureLevels.shareVersion(floor, ctx.metadata().image().finalizedFeatures());
        Map<String, FeatureLevels.Feature> known = new HashMap<>();
        FeatureLevels.all(shareVersion).forEach(f -> known.put(f.name(), f));
        Map<String, Short> levels = new HashMap<>();
        for (UpdateFeaturesRequestData.FeatureUpdateKey u : req.featureUpdates()) {
            boolean downgradeAllowed = version == 0 ? u.allowDowngrade() : u.upgradeType() != UPGRADE;
            String refusal = refusal(known.get(u.feature()), u.maxVersionLevel(), downgradeAllowed, floor);
            if (refusal != null) {
                String message = "Invalid update version " + u.maxVersionLevel() + " for feature " + u.feature() + ". "
                        + refusal;
                LOG.info("UpdateFeatures refused: {}", message);
                return done(response(req, version, Errors.INVALID_UPDATE_VERSION, message));
            }
            levels.put(u.feature(), (short) Math.max(0, u.maxVersionLevel()));
        }
        levels.keySet().removeIf(name -> !FeatureLevels.changeable(name)); // at their one level: nothing to change
        if (levels.isEmpty() || (version >= 1 && req.validateOnly())) {
            return done(response(req, version, Errors.NONE, null));
        }
        return ctx.metadata().submit(new UpdateFeatures(levels)).handle((r, e) -> {
            Errors error = e != null ? Errors.REQUEST_TIMED_OUT : Errors.forCode(r.errorCode());
            String message = e != null ? String.valueOf(e) : r.errorMessage();
            if (error == Errors.NONE) {
                LOG.info("Finalized feature levels set: {}", levels);
            }
            return KafkaResponse.of(response(req, version, error, message));
        });
    }

    /** Why an update may not be made, or null. */
    private static String refusal(FeatureLevels.Feature f, short level, boolean downgradeAllowed, int floor) {
        if (f == null) {
            return "The controller does not support the given feature.";
        }
        short target = (short) Math.max(0, level);
        if (!FeatureLevels.changeable(f.name()) && target != f.finalizedLevel()) {
            return "Sluice serves it at level " + f.finalizedLevel() + " only.";
        }
        if (target < f.minVersion() || target > f.maxVersion()) {
            return "Sluice serves levels " + f.minVersion() + " to " + f.maxVersion() + " of it.";
        }
        if (target < f.finalizedLevel() && !downgradeAllowed) {
            return "Can't downgrade the version of this feature without setting the upgrade type to either safe or "
                    + "unsafe downgrade.";
        }
        if (FeatureLevels.SHARE_VERSION.equals(f.name()) && target < floor) {
            return "This broker's sluice.share.version=" + floor + " keeps it at least " + floor
                    + "; lower that setting first.";
        }
        return null;
    }

    private static UpdateFeaturesResponseData response(UpdateFeaturesRequestData req, short version, Errors error,
                                                       String message) {
        UpdateFeaturesResponseData resp = new UpdateFeaturesResponseData().setErrorCode(error.code())
                .setErrorMessage(message);
        if (version <= 1) {
            // v0-1 also answer per feature: each gets the request's outcome (it is applied whole or not at all).
            for (UpdateFeaturesRequestData.FeatureUpdateKey u : req.featureUpdates()) {
                resp.results().add(new UpdateFeaturesResponseData.UpdatableFeatureResult().setFeature(u.feature())
                        .setErrorCode(error.code()).setErrorMessage(message));
            }
        }
        return resp;
    }

    private static CompletionStage<KafkaResponse> done(UpdateFeaturesResponseData resp) {
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }
}
