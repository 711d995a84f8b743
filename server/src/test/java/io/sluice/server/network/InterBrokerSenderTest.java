package io.sluice.server.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.server.metrics.RequestMetrics;
import io.sluice.server.protocol.ApiVersionsTable;
import io.sluice.server.protocol.KafkaCodec;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests to another broker, against Sluice's own network server with a scripted dispatcher:
 * answers in the order sent, a connection the other side closed replaced once, no endpoint, and
 * the bound on waiting requests.
 */
@Timeout(60)
class InterBrokerSenderTest {

    /** Answers Metadata with cluster id "c-" + the correlation id, unless {@link #silent}. */
    private volatile boolean silent;
    private final ConcurrentLinkedQueue<Integer> dispatched = new ConcurrentLinkedQueue<>();
    private final RequestDispatcher dispatcher = new RequestDispatcher() {
        @Override
        public CompletionStage<KafkaResponse> dispatch(KafkaRequest request, ClientInfo client) {
            dispatched.add(request.correlationId());
            return silent ? new CompletableFuture<>() : CompletableFuture.completedFuture(
                    KafkaResponse.of(new MetadataResponseData()
                            .setClusterId("c-" + request.correlationId())));
        }

        @Override
        public KafkaResponse unsupportedApiVersions() {
            return KafkaResponse.of(new ApiVersionsResponseData().setErrorCode((short) 35));
        }
    };
    private NetworkServer server;
    private InterBrokerSender sender;

    private InetSocketAddress startServer(long idleMs) throws Exception {
        server = new NetworkServer(new KafkaCodec(ApiVersionsTable.sluice()), dispatcher,
                new RequestMetrics(ApiVersionsTable.sluice(), new PrometheusRegistry(), true),
                new NetworkServer.Limits(1 << 20, idleMs, 100, 2, -1, -1, 1024 * 1024));
        return server.start("PLAINTEXT", "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static MetadataRequest metadata() {
        return new MetadataRequest.Builder(new MetadataRequestData()).build((short) 12);
    }

    private static String clusterId(AbstractResponse r) {
        return ((MetadataResponse) r).data().clusterId();
    }

    @Test
    void requestsToOneBrokerAreAnsweredInTheOrderSent() throws Exception {
        InetSocketAddress address = startServer(600_000);
        sender = new InterBrokerSender(id -> Optional.of(address), 5_000, 100, "test");
        List<CompletableFuture<AbstractResponse>> sent = new ArrayList<>();
        ConcurrentLinkedQueue<Integer> completed = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            sent.add(sender.send(7, metadata()).whenComplete((r, t) -> completed.add(n)));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(clusterId(sent.get(i).get())).isEqualTo("c-" + (i + 1));
        }
        assertThat(completed).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
    }

    @Test
    void aConnectionTheOtherBrokerClosedIsReplacedOnce() throws Exception {
        InetSocketAddress address = startServer(300);
        sender = new InterBrokerSender(id -> Optional.of(address), 5_000, 100, "test");
        assertThat(clusterId(sender.send(7, metadata()).get())).isEqualTo("c-1");
        // The server closes connections idle for 300 ms; the next request finds its connection
        // closed, and is sent again on a new one (whose first correlation id is 1 again).
        Thread.sleep(1_000);
        assertThat(clusterId(sender.send(7, metadata()).get())).isEqualTo("c-1");
        assertThat(dispatched).hasSize(2);
    }

    @Test
    void aBrokerWithNoEndpointFailsTheRequestAndTheNextOnesFailAtOnce() {
        sender = new InterBrokerSender(id -> Optional.empty(), 5_000, 100, "test");
        assertThatThrownBy(() -> sender.send(3, metadata()).get()).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class).hasMessageContaining("broker 3 has no inter-broker endpoint");
        assertThatThrownBy(() -> sender.send(3, metadata()).get()).cause()
                .hasMessageContaining("broker 3 failed a request less than");
    }

    @Test
    void requestsBeyondTheQueueBoundFailAtOnce() throws Exception {
        silent = true;
        InetSocketAddress address = startServer(600_000);
        sender = new InterBrokerSender(id -> Optional.of(address), 30_000, 2, "test");
        CompletableFuture<AbstractResponse> inFlight = sender.send(7, metadata());
        await().until(() -> dispatched.size() == 1);
        CompletableFuture<AbstractResponse> queued1 = sender.send(7, metadata());
        CompletableFuture<AbstractResponse> queued2 = sender.send(7, metadata());
        CompletableFuture<AbstractResponse> refused = sender.send(7, metadata());
        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::get).cause().hasMessageContaining("2 requests already wait for broker 7");
        assertThat(List.of(inFlight, queued1, queued2)).noneMatch(CompletableFuture::isDone);
        sender.close();
        assertThat(List.of(queued1, queued2)).as("closing fails what still waits")
                .allMatch(CompletableFuture::isCompletedExceptionally);
    }
}
