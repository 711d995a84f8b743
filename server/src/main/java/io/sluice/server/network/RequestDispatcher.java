package io.sluice.server.network;

import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The network layer's view of the request handlers. Called on the connection's event-loop thread;
 * the returned stage may complete on any thread (the network hops back to the event loop).
 * Implementations must be thread-safe: several event loops call it concurrently.
 */
public interface RequestDispatcher {

    CompletionStage<KafkaResponse> dispatch(KafkaRequest request, ClientInfo client);

    /** The answer to an ApiVersions request of a version Sluice does not serve. */
    KafkaResponse unsupportedApiVersions();

    /**
     * Who sent a request (for logs and per-connection state such as fetch sessions), the
     * connection's event loop (delayed work, such as long-poll fetches, completes there), and the
     * listener it came in on: brokers are described to it by their endpoints on that listener.
     */
    record ClientInfo(String remoteAddress, long connectionId, ScheduledExecutorService eventLoop, String listenerName) { }
}
