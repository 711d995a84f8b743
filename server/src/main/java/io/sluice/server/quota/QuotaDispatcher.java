package io.sluice.server.quota;

import io.sluice.server.metrics.ResponseErrors;
import io.sluice.server.network.RequestDispatcher;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * Client quotas on the request path, in front of the handlers, as Kafka's KafkaApis applies them:
 * <ul>
 *   <li>Produce: {@code producer_byte_rate} on the request's bytes, plus the request quota unless acks=0;</li>
 *   <li>Fetch from a consumer: {@code consumer_byte_rate} on the response's bytes, plus the request
 *       quota; a throttled fetch takes its bytes back and answers Kafka's throttled empty response;</li>
 *   <li>every other request from a client: {@code request_percentage} on the handler's time;</li>
 *   <li>CreateTopics, CreatePartitions, DeleteTopics: {@code controller_mutation_rate}, charged by
 *       their handlers, which put the throttle in the response;</li>
 *   <li>fetches from follower replicas are exempt.</li>
 * </ul>
 * The larger throttle wins. It goes in the response's {@code throttle_time_ms}; where the client
 * throttles itself (KIP-219, {@code shouldClientThrottle}) the connection is muted that long after
 * the response is sent, otherwise the response itself is held back that long. With no quota at all
 * the path is one volatile read. Thread-safe.
 */
public final class QuotaDispatcher implements RequestDispatcher {
    private static final double NANOS_TO_PERCENTAGE_PER_SECOND = 100.0 / TimeUnit.SECONDS.toNanos(1);

    private final RequestDispatcher handlers;
    private final BrokerQuotas quotas;

    public QuotaDispatcher(RequestDispatcher handlers, BrokerQuotas quotas) {
        this.handlers = handlers;
        this.quotas = quotas;
    }

    @Override
    public CompletionStage<KafkaResponse> dispatch(KafkaRequest request, ClientInfo client) {
        if (!quotas.enabled()) {
            return handlers.dispatch(request, client);
        }
        if (request.apiKey() == ApiKeys.FETCH.id) {
            if (isFromFollower(request)) {
                return handlers.dispatch(request, client);
            }
            capFetchToQuotaWindow(request);
        }
        long startNs = System.nanoTime();
        CompletionStage<KafkaResponse> stage = handlers.dispatch(request, client);
        long handlerNs = System.nanoTime() - startNs;
        return stage.thenCompose(response -> throttle(request, response, handlerNs, client));
    }

    @Override
    public KafkaResponse unsupportedApiVersions() {
        return handlers.unsupportedApiVersions();
    }

    private CompletionStage<KafkaResponse> throttle(KafkaRequest request, KafkaResponse response, long handlerNs,
                                                   ClientInfo client) {
        long nowMs = quotas.time().milliseconds();
        String clientId = request.clientId() == null ? "" : request.clientId();
        short version = request.apiVersion();
        ClientQuotaManager bandwidth = null;
        int bandwidthMs = 0;
        double bandwidthBytes = 0;
        boolean countRequestTime = true;
        if (request.apiKey() == ApiKeys.PRODUCE.id) {
            countRequestTime = request.bodyAs(ProduceRequestData.class).acks() != 0;
            if (quotas.produce().enabled()) {
                bandwidth = quotas.produce();
                bandwidthBytes = sizeOf(request.body(), version);
            }
        } else if (request.apiKey() == ApiKeys.FETCH.id && response.hasBody() && quotas.fetch().enabled()) {
            bandwidth = quotas.fetch();
            bandwidthBytes = sizeOf(response.body(), version);
        }
        int requestMs = countRequestTime && quotas.request().enabled()
            ? quotas.request().recordAndGetThrottleTimeMs(BrokerQuotas.USER, clientId,
                handlerNs * NANOS_TO_PERCENTAGE_PER_SECOND, nowMs)
            : 0;
        if (bandwidth != null) {
            bandwidthMs = bandwidth.recordAndGetThrottleTimeMs(BrokerQuotas.USER, clientId, bandwidthBytes, nowMs);
        }
        int mutationMs = controllerMutationThrottleMs(request, response);
        int throttleMs = Math.max(Math.max(bandwidthMs, requestMs), mutationMs);
        if (throttleMs <= 0) {
            return CompletableFuture.completedFuture(response);
        }
        if (mutationMs >= Math.max(bandwidthMs, requestMs)) {
            quotas.throttledByControllerMutation(mutationMs); // as Kafka: the controller quota wins ties
        } else {
            quotas.throttled(bandwidthMs > requestMs ? bandwidth : quotas.request(), clientId, throttleMs, nowMs);
        }
        KafkaResponse throttled = response;
        if (request.apiKey() == ApiKeys.FETCH.id && response.hasBody()) {
            if (bandwidth != null) {
                bandwidth.unrecord(BrokerQuotas.USER, clientId, bandwidthBytes, nowMs);
            }
            throttled = emptyFetch(request, response);
        }
        if (!throttled.hasBody()) {
            return CompletableFuture.completedFuture(throttled.withMuteAfterSendMs(throttleMs)); // acks=0
        }
        // FetchResponse has no public constructor for ResponseErrors to find; of() is its factory.
        AbstractResponse wrapped = throttled.body() instanceof FetchResponseData fetchData ? FetchResponse.of(fetchData)
            : ResponseErrors.wrap(throttled.body(), version);
        wrapped.maybeSetThrottleTimeMs(throttleMs);
        if (wrapped.shouldClientThrottle(version)) {
            return CompletableFuture.completedFuture(throttled.withMuteAfterSendMs(throttleMs));
        }
        // An old client does not back off by itself: the response waits out the throttle.
        CompletableFuture<KafkaResponse> later = new CompletableFuture<>();
        KafkaResponse held = throttled;
        client.eventLoop().schedule(() -> later.complete(held), throttleMs, TimeUnit.MILLISECONDS);
        return later;
    }

    /**
     * The throttle the CreateTopics, CreatePartitions or DeleteTopics handler put in its response
     * for the controller mutation quota (KIP-599): the handler charges topic by topic, this class
     * mutes or delays for it like for any other quota.
     */
    private int controllerMutationThrottleMs(KafkaRequest request, KafkaResponse response) {
        short key = request.apiKey();
        boolean mutation = key == ApiKeys.CREATE_TOPICS.id || key == ApiKeys.CREATE_PARTITIONS.id
            || key == ApiKeys.DELETE_TOPICS.id;
        if (!mutation || !response.hasBody() || !quotas.controllerMutation().enabled()) {
            return 0;
        }
        return ResponseErrors.wrap(response.body(), request.apiVersion()).throttleTimeMs();
    }

    /**
     * Kafka's throttled fetch response: no partitions; the session id of an incremental fetch,
     * none for a full one (its session is not kept). The data read is released.
     */
    private static KafkaResponse emptyFetch(KafkaRequest request, KafkaResponse response) {
        FetchResponseData full = (FetchResponseData) response.body();
        if (full.errorCode() != 0) {
            return response;
        }
        response.onWritten().run();
        boolean incremental = request.bodyAs(FetchRequestData.class).sessionEpoch() > 0;
        return KafkaResponse.of(FetchResponse.of(Errors.NONE, 0, incremental ? full.sessionId() : 0,
            new LinkedHashMap<>(), List.of()).data());
    }

    /**
     * As Kafka: a consumer's fetch asks for no more than its quota lets through in one window
     * (min bytes capped likewise), so a large fetch is not throttled empty again and again.
     */
    private void capFetchToQuotaWindow(KafkaRequest request) {
        if (!quotas.fetch().enabled()) {
            return;
        }
        FetchRequestData req = request.bodyAs(FetchRequestData.class);
        double windowMax = quotas.fetch().maxValueInQuotaWindow(BrokerQuotas.USER,
            request.clientId() == null ? "" : request.clientId());
        int maxBytes = (int) Math.min(req.maxBytes(), Math.max(windowMax, 0));
        req.setMaxBytes(maxBytes).setMinBytes(Math.min(req.minBytes(), maxBytes));
    }

    private static boolean isFromFollower(KafkaRequest request) {
        FetchRequestData req = request.bodyAs(FetchRequestData.class);
        int replicaId = request.apiVersion() >= 15 ? req.replicaState().replicaId() : req.replicaId();
        return replicaId >= 0;
    }

    private static int sizeOf(ApiMessage message, short version) {
        return message.size(new ObjectSerializationCache(), version);
    }
}
