package io.sluice.server.quota;

import java.util.Map;

/**
 * The metric tags a client's quota sensors carry, as Kafka's {@code DefaultQuotaCallback} picks
 * them: {@code user} and {@code client-id}, each "" when the matching quota does not depend on it.
 * Clients whose tags are equal share one sensor, so they share one quota. Immutable.
 */
public record QuotaTags(String user, String clientId) {
    public static final String USER_TAG = "user";
    public static final String CLIENT_ID_TAG = "client-id";

    public Map<String, String> asMap() {
        return Map.of(USER_TAG, user, CLIENT_ID_TAG, clientId);
    }

    /** Kafka's sensor name suffix: the tag values joined by ':'. */
    String sensorSuffix() {
        return user + ":" + clientId;
    }
}
