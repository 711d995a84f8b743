package io.sluice.server.handler;

/** What the controller mutation quota (KIP-599) handlers share. Stateless. */
final class MutationQuotas {
    /** Kafka's message for THROTTLING_QUOTA_EXCEEDED ({@code Errors.THROTTLING_QUOTA_EXCEEDED.message()}). */
    static final String EXCEEDED = "The throttling quota has been exceeded.";

    private MutationQuotas() {
    }
}
