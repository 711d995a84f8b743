package io.sluice.server.handler;

import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.ApiVersionsTable;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ApiVersions: answers with {@link ApiVersionsTable}, never with the jar's view. For a version we
 * do not serve, answers v0 with UNSUPPORTED_VERSION and the table, so the client retries with a
 * version both sides know (KIP-511). Stateless, thread-safe.
 */
public final class ApiVersionsHandler implements ApiHandler {

    private final ApiVersionsTable table;

    public ApiVersionsHandler(ApiVersionsTable table) {
        this.table = table;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        ApiVersionsRequestData body = request.bodyAs(ApiVersionsRequestData.class);
        ApiVersionsResponseData response = versions(Errors.NONE);
        if (request.apiVersion() >= 3 && !valid(body)) {
            response.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(response));
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
                    .setMinVersion(r.minVersion()).setMaxVersion(r.maxVersion()));
        }
        data.setApiKeys(keys);
        return data;
    }
}
