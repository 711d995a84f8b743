package io.sluice.server.quota;

/**
 * The client quota keys (Kafka's {@code QuotaConfig}). Stateless.
 */
public final class QuotaKeys {
    public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    public static final String REQUEST_PERCENTAGE = "request_percentage";
    public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";

    private QuotaKeys() {
    }

}
