package io.sluice.server.quota;

/**
 * The client quota keys (Kafka's {@code QuotaConfig}) and which of them this broker enforces.
 * Stateless.
 */
public final class QuotaKeys {
    public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    public static final String REQUEST_PERCENTAGE = "request_percentage";
    public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";

    private QuotaKeys() {
    }

    /**
     * Why setting {@code key} is refused before it is stored, or null when the quorum may decide
     * (it refuses unknown keys itself, with Kafka's message). A quota Sluice would not enforce is
     * never stored.
     */
    public static String refusal(String key) {
        if (CONTROLLER_MUTATION_RATE.equals(key)) {
            return CONTROLLER_MUTATION_RATE + " is not enforced yet by Sluice (KIP-599 controller mutation quotas "
                + "on CreateTopics, CreatePartitions and DeleteTopics); refused rather than stored";
        }
        return null;
    }
}
