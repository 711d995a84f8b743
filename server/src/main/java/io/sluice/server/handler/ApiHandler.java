package io.sluice.server.handler;

import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.concurrent.CompletionStage;

/**
 * Handles one Kafka API. Called on a network event loop: must not block; waits (quorum commits,
 * long polls) return an incomplete stage. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ApiHandler {
    CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client);
}
