package io.sluice.server.handler;

import io.sluice.metadata.node.QuorumStatus;
import io.sluice.server.network.RequestDispatcher;
import io.sluice.server.protocol.ApiVersionsTable;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Routes each request to the handler of its API. Every API in {@link ApiVersionsTable} has a
 * handler here (checked at construction), so nothing is advertised that is not served.
 * Thread-safe: handlers are.
 */
public final class KafkaApis implements RequestDispatcher {

    private final Map<Short, ApiHandler> handlers = new HashMap<>();
    private final ApiVersionsHandler apiVersions;

    public KafkaApis(ApiVersionsTable table, HandlerContext ctx, FetchHandler fetch) {
        this(table, ctx, fetch, Map.of());
    }

    /** @param more handlers of other packages (the group coordinator's), by api key */
    public KafkaApis(ApiVersionsTable table, HandlerContext ctx, FetchHandler fetch, Map<Short, ApiHandler> more) {
        apiVersions = new ApiVersionsHandler(table, ctx);
        handlers.put(ApiVersionsTable.API_VERSIONS, apiVersions);
        handlers.put(ApiVersionsTable.METADATA, new MetadataHandler(ctx));
        handlers.put(ApiVersionsTable.PRODUCE, new ProduceHandler(ctx));
        handlers.put(ApiVersionsTable.FETCH, fetch);
        handlers.put(ApiVersionsTable.LIST_OFFSETS, new ListOffsetsHandler(ctx));
        handlers.put(ApiVersionsTable.CREATE_TOPICS, new CreateTopicsHandler(ctx));
        handlers.put(ApiVersionsTable.DELETE_TOPICS, new DeleteTopicsHandler(ctx));
        handlers.put(ApiVersionsTable.CREATE_PARTITIONS, new CreatePartitionsHandler(ctx));
        handlers.put(ApiVersionsTable.ELECT_LEADERS, new ElectLeadersHandler(ctx));
        handlers.put(ApiVersionsTable.UPDATE_FEATURES, new UpdateFeaturesHandler(ctx));
        handlers.put(ApiVersionsTable.DESCRIBE_CONFIGS, new DescribeConfigsHandler(ctx));
        AlterConfigsHandler alter = new AlterConfigsHandler(ctx);
        handlers.put(ApiVersionsTable.ALTER_CONFIGS, alter);
        handlers.put(ApiVersionsTable.INCREMENTAL_ALTER_CONFIGS, alter);
        handlers.put(ApiVersionsTable.DESCRIBE_CLUSTER, new DescribeClusterHandler(ctx));
        handlers.put(ApiVersionsTable.DESCRIBE_TOPIC_PARTITIONS, new DescribeTopicPartitionsHandler(ctx));
        handlers.put(ApiVersionsTable.DELETE_RECORDS, new DeleteRecordsHandler(ctx));
        handlers.put(ApiVersionsTable.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochHandler(ctx));
        handlers.put(ApiVersionsTable.INIT_PRODUCER_ID, new InitProducerIdHandler(ctx));
        ClientQuotasHandler clientQuotas = new ClientQuotasHandler(ctx);
        handlers.put(ApiVersionsTable.DESCRIBE_CLIENT_QUOTAS, clientQuotas);
        handlers.put(ApiVersionsTable.ALTER_CLIENT_QUOTAS, clientQuotas);
        handlers.put(ApiVersionsTable.DESCRIBE_USER_SCRAM_CREDENTIALS, new DescribeUserScramCredentialsHandler());
        handlers.putAll(more);
        for (ApiVersionsTable.Range r : table.all()) {
            if (!handlers.containsKey(r.apiKey())) {
                throw new IllegalStateException("advertised API without handler: " + r.name());
            }
        }
    }

    /**
     * DescribeQuorum's handler (see {@link DescribeQuorumHandler}), for the broker to pass in
     * {@code more}: it reads the quorum node, which request handlers do not otherwise see.
     */
    public static ApiHandler describeQuorum(Supplier<QuorumStatus> status, String controllerListenerName) {
        return new DescribeQuorumHandler(status, controllerListenerName);
    }

    @Override
    public CompletionStage<KafkaResponse> dispatch(KafkaRequest request, ClientInfo client) {
        ApiHandler h = handlers.get(request.apiKey());
        if (h == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no handler for api " + request.apiKey()));
        }
        return h.handle(request, client);
    }

    @Override
    public KafkaResponse unsupportedApiVersions() {
        return apiVersions.unsupported();
    }
}
