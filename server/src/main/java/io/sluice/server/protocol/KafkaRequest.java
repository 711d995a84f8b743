package io.sluice.server.protocol;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A parsed request: header fields and the generated body message. The body may hold slices of
 * the request frame (produce records), so the frame must stay alive until the request is done;
 * the network layer owns and releases it. Not thread-safe; handed from the event loop to one
 * handler at a time.
 */
public record KafkaRequest(short apiKey, short apiVersion, int correlationId, String clientId,
                           short responseHeaderVersion, ApiMessage body) {

    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T bodyAs(Class<T> type) {
        return (T) type.cast(body);
    }
}
