package io.sluice.server.handler;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.ApiVersionsTable;
import io.sluice.server.protocol.FeatureLevels;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ApiVersions v0-5: answers with {@link ApiVersionsTable}, never with the jar's view, and from v3
 * with the features of {@link FeatureLevels}. For a version we do not serve, answers v0 with
 * UNSUPPORTED_VERSION and the table, so the client retries with a version both sides know
 * (KIP-511). v5 (KIP-1242): a client naming the cluster and node it means to reach is told
 * REBOOTSTRAP_REQUIRED when this is another one, INVALID_REQUEST when it names only one of the
 * two, as Kafka 4.4 answers (measured). Stateless, thread-safe.
 */
public final class ApiVersionsHandler implements ApiHandler {

    private final ApiVersionsTable table;
    private final HandlerContext ctx;

    public ApiVersionsHandler(ApiVersionsTable table, HandlerContext ctx) {
        this.table = table;
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        ApiVersionsRequestData body = request.bodyAs(ApiVersionsRequestData.class);
        short v = request.apiVersion();
        if (v >= 5) {
            Errors identity = checkIdentity(body);
            if (identity != Errors.NONE) {
                return CompletableFuture.completedFuture(KafkaResponse.of(new ApiVersionsResponseData()
                        .setErrorCode(identity.code())));
            }
        }
        ApiVersionsResponseData response = versions(Errors.NONE);
        if (v >= 3) {
            addFeatures(response, v);
            if (!valid(body)) {
                response.setErrorCode(Errors.INVALID_REQUEST.code());
            }
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(response));
    }

    /** KIP-1242: both or neither of ClusterId and NodeId, and both ours. */
    private Errors checkIdentity(ApiVersionsRequestData body) {
        boolean hasCluster = body.clusterId() != null;
        boolean hasNode = body.nodeId() != -1;
        if (!hasCluster && !hasNode) {
            return Errors.NONE;
        }
        if (hasCluster != hasNode) {
            return Errors.INVALID_REQUEST;
        }
        boolean ours = Objects.equals(body.clusterId(), ctx.metadata().image().clusterId()) && body.nodeId() == ctx.nodeId();
        return ours ? Errors.NONE : Errors.REBOOTSTRAP_REQUIRED;
    }

    /** KIP-511: client software name and version must be non-empty and of [a-zA-Z0-9.-]. */
    private static boolean valid(ApiVersionsRequestData body) {
        String pattern = "[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?";
        return body.clientSoftwareName() != null && body.clientSoftwareName().matches(pattern)
                && body.clientSoftwareVersion() != null && body.clientSoftwareVersion().matches(pattern);
    }

    public KafkaResponse unsupported() {
        return KafkaResponse.of(versions(Errors.UNSUPPORTED_VERSION));
    }

    private ApiVersionsResponseData versions(Errors error) {
        ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(error.code()).setThrottleTimeMs(0);
        ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        for (ApiVersionsTable.Range r : table.all()) {
            keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey(r.apiKey())
                    .setMinVersion(r.advertisedMinVersion()).setMaxVersion(r.maxVersion()));
        }
        data.setApiKeys(keys);
        return data;
    }

    private void addFeatures(ApiVersionsResponseData data, short version) {
        MetadataImage image = ctx.metadata().image();
        short shareVersion = FeatureLevels.shareVersion(ctx.config().getInt(ServerConfigDef.SHARE_VERSION),
                image.finalizedFeatures());
        for (FeatureLevels.Feature f : FeatureLevels.all(shareVersion)) {
            // KAFKA-17492: clients before ApiVersions v4 fail to read a supported minimum of 0.
            if (version >= 4 || f.minVersion() > 0) {
                data.supportedFeatures().add(new ApiVersionsResponseData.SupportedFeatureKey().setName(f.name())
                        .setMinVersion(f.minVersion()).setMaxVersion(f.maxVersion()));
            }
            // A level of 0 means off; Kafka does not list it as finalized.
            if (f.finalizedLevel() > 0) {
                data.finalizedFeatures().add(new ApiVersionsResponseData.FinalizedFeatureKey().setName(f.name())
                        .setMinVersionLevel(f.finalizedLevel()).setMaxVersionLevel(f.finalizedLevel()));
            }
        }
        // As Kafka's: the metadata offset the finalized levels were read at, so a later answer has a higher epoch.
        data.setFinalizedFeaturesEpoch(image.offset());
    }
}
