package io.sluice.server.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.protocol.ApiVersionsTable;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.server.metrics.RequestMetrics;
import io.sluice.server.protocol.KafkaCodec;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The network layer alone, with a scripted dispatcher: ordering, pipelining, bad frames,
 * backpressure and idle connections.
 */
@Timeout(60)
class NetworkServerTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger dispatched = new AtomicInteger();
    /** Held responses the test completed; counted before completing, so a dispatch it enables sees it. */
    private final AtomicInteger released = new AtomicInteger();
    /** The most requests ever dispatched and not yet answered, seen at each dispatch. */
    private final AtomicInteger maxInFlight = new AtomicInteger();
    /** With {@link #holdResponses}: the dispatched requests' responses, in dispatch order. */
    private final ConcurrentLinkedQueue<CompletableFuture<KafkaResponse>> held = new ConcurrentLinkedQueue<>();
    private NetworkServer server;
    private InetSocketAddress address;
    /**
     * Metadata requests complete after (10 - correlationId % 10) * 20 ms: later requests finish first;
     * unless responses are held, when they complete only as the test releases them.
     */
    private volatile boolean holdResponses;
    /** When above 0, the response to correlation id 0 asks for the connection to be muted that long (KIP-219). */
    private volatile int muteFirstMs;
    /** Correlation ids in dispatch order, with System.nanoTime() at dispatch. */
    private final ConcurrentLinkedQueue<long[]> dispatchLog = new ConcurrentLinkedQueue<>();

    private final RequestDispatcher dispatcher = new RequestDispatcher() {
        @Override
        public CompletionStage<KafkaResponse> dispatch(KafkaRequest request, ClientInfo client) {
            int inFlight = dispatched.incrementAndGet() - released.get();
            maxInFlight.accumulateAndGet(inFlight, Math::max);
            CompletableFuture<KafkaResponse> f = new CompletableFuture<>();
            dispatchLog.add(new long[] {request.correlationId(), System.nanoTime()});
            if (muteFirstMs > 0) {
                KafkaResponse r = KafkaResponse.of(new MetadataResponseData().setClusterId("c-" + request.correlationId()));
                return CompletableFuture.completedFuture(request.correlationId() == 0 ? r.withMuteAfterSendMs(muteFirstMs) : r);
            }
            if (holdResponses) {
                held.add(f);
                return f;
            }
            MetadataResponseData body = new MetadataResponseData().setClusterId("c-" + request.correlationId());
            long delayMs = (10 - request.correlationId() % 10) * 20L;
            timer.schedule(() -> f.complete(KafkaResponse.of(body)), delayMs, TimeUnit.MILLISECONDS);
            return f;
        }

        @Override
        public KafkaResponse unsupportedApiVersions() {
            return KafkaResponse.of(new ApiVersionsResponseData().setErrorCode((short) 35));
        }
    };

    private void start(int requestBytesMax, long idleMs, int inflightMax) throws Exception {
        server = new NetworkServer(new KafkaCodec(ApiVersionsTable.sluice()), dispatcher,
                new RequestMetrics(ApiVersionsTable.sluice(), new PrometheusRegistry(), true), new NetworkServer.Limits(requestBytesMax, idleMs, inflightMax, 2, -1, -1, 1024 * 1024));
        address = server.start("PLAINTEXT", "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        timer.shutdownNow();
    }

    @Test
    void pipelinedRequestsAreAnsweredInRequestOrder() throws Exception {
        start(1 << 20, 600_000, 100);
        try (RawClient c = new RawClient(address)) {
            for (int id = 0; id < 10; id++) {
                c.send(ApiVersionsTable.METADATA, (short) 12, id, new MetadataRequestData());
            }
            for (int id = 0; id < 10; id++) {
                ByteBuffer frame = c.readFrame();
                assertThat(frame.getInt(0)).as("correlation id").isEqualTo(id);
            }
        }
    }

    @Test
    void aThrottledResponseMutesItsConnectionOnlyForTheThrottleTime() throws Exception {
        muteFirstMs = 1000;
        start(1 << 20, 600_000, 100);
        try (RawClient muted = new RawClient(address); RawClient other = new RawClient(address)) {
            muted.send(ApiVersionsTable.METADATA, (short) 12, 0, new MetadataRequestData());
            muted.send(ApiVersionsTable.METADATA, (short) 12, 1, new MetadataRequestData());
            assertThat(muted.readFrame().getInt(0)).isEqualTo(0);
            other.send(ApiVersionsTable.METADATA, (short) 12, 7, new MetadataRequestData());
            assertThat(other.readFrame().getInt(0)).as("another connection is served meanwhile").isEqualTo(7);
            assertThat(muted.readFrame().getInt(0)).as("the muted connection is served after the throttle").isEqualTo(1);
        }
        long[][] log = dispatchLog.toArray(new long[0][]);
        assertThat(Arrays.stream(log).map(e -> e[0]).toList()).containsExactly(0L, 7L, 1L);
        assertThat(TimeUnit.NANOSECONDS.toMillis(log[2][1] - log[0][1]))
                .as("request 1 waited out the throttle that began after response 0 was written").isGreaterThanOrEqualTo(1000);
    }

    @Test
    void negativeFrameSizeClosesOnlyThatConnection() throws Exception {
        start(1 << 20, 600_000, 100);
        try (RawClient bad = new RawClient(address); RawClient good = new RawClient(address)) {
            bad.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
            assertThat(bad.closedByPeer()).isTrue();
            good.send(ApiVersionsTable.METADATA, (short) 12, 1, new MetadataRequestData());
            assertThat(good.readFrame().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void frameAboveSocketRequestMaxBytesClosesConnection() throws Exception {
        start(1000, 600_000, 100);
        try (RawClient bad = new RawClient(address)) {
            bad.sendRaw(ByteBuffer.allocate(4).putInt(1001).array());
            assertThat(bad.closedByPeer()).isTrue();
        }
    }

    @Test
    void unknownApiKeyClosesConnection() throws Exception {
        start(1 << 20, 600_000, 100);
        try (RawClient bad = new RawClient(address)) {
            bad.sendRaw(ByteBuffer.allocate(14).putInt(10).putShort((short) 4242).putShort((short) 0).putInt(7)
                    .putShort((short) -1).array());
            assertThat(bad.closedByPeer()).isTrue();
        }
        assertThat(dispatched.get()).isZero();
    }

    @Test
    void unsupportedApiVersionsVersionIsAnsweredNotClosed() throws Exception {
        start(1 << 20, 600_000, 100);
        try (RawClient c = new RawClient(address)) {
            c.sendRaw(ByteBuffer.allocate(14).putInt(10).putShort(ApiVersionsTable.API_VERSIONS).putShort((short) 77)
                    .putInt(3).putShort((short) -1).array());
            ApiVersionsResponseData r = c.read(ApiVersionsTable.API_VERSIONS, (short) 0, ApiVersionsResponseData.class);
            assertThat(r.errorCode()).isEqualTo((short) 35);
        }
    }

    @Test
    void unparsableBodyClosesConnection() throws Exception {
        start(1 << 20, 600_000, 100);
        try (RawClient bad = new RawClient(address)) {
            // Metadata v12 header, then a topic array claiming 1000 entries that are not there.
            bad.sendRaw(ByteBuffer.allocate(4 + 14).putInt(14).putShort(ApiVersionsTable.METADATA).putShort((short) 12)
                    .putInt(1).putShort((short) -1).put((byte) 0).put((byte) 0x7f).put((byte) 1).put((byte) 0).array());
            assertThat(bad.closedByPeer()).isTrue();
        }
        assertThat(dispatched.get()).isZero();
    }

    @Test
    void truncatedFrameWaitsAndDoesNotDisturbOthers() throws Exception {
        start(1 << 20, 600_000, 100);
        try (RawClient partial = new RawClient(address); RawClient good = new RawClient(address)) {
            partial.sendRaw(ByteBuffer.allocate(8).putInt(100).putShort(ApiVersionsTable.METADATA).putShort((short) 12).array());
            good.send(ApiVersionsTable.METADATA, (short) 12, 2, new MetadataRequestData());
            assertThat(good.readFrame().getInt(0)).isEqualTo(2);
            partial.shutdownOutput();
            assertThat(partial.closedByPeer()).isTrue();
        }
        assertThat(dispatched.get()).isEqualTo(1);
    }

    /**
     * No sleep-then-check-nothing-happened: every dispatch records how many requests were unanswered
     * at that moment, and the test then answers the 50 requests one at a time (each answer lets the
     * server read one more). A server that read past the limit shows it in {@link #maxInFlight}
     * however fast or slow the machine is, because every request is dispatched before the test ends.
     */
    @Test
    void clientWhoseResponsesPileUpStopsBeingRead() throws Exception {
        holdResponses = true;
        start(1 << 20, 600_000, 4);
        try (RawClient c = new RawClient(address)) {
            for (int id = 0; id < 50; id++) {
                // One write per request so each lands in its own read.
                c.send(ApiVersionsTable.METADATA, (short) 12, id, new MetadataRequestData());
                Thread.sleep(2);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.get() >= 4);
            assertThat(dispatched.get()).as("dispatched while 4 are unanswered").isEqualTo(4);
            for (int id = 0; id < 50; id++) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !held.isEmpty());
                CompletableFuture<KafkaResponse> oldest = held.poll();
                released.incrementAndGet();
                oldest.complete(KafkaResponse.of(new MetadataResponseData().setClusterId("c")));
                assertThat(c.readFrame().getInt(0)).as("correlation id").isEqualTo(id);
            }
            assertThat(dispatched.get()).isEqualTo(50);
            assertThat(maxInFlight.get()).as("most requests dispatched and unanswered at once").isEqualTo(4);
        }
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        start(1 << 20, 300, 100);
        try (RawClient c = new RawClient(address)) {
            c.setTimeoutMs(5000);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void apiVersionsRequestStillWorksAfterAnotherClientMisbehaved() throws Exception {
        start(1 << 20, 600_000, 100);
        for (int i = 0; i < 5; i++) {
            try (RawClient bad = new RawClient(address)) {
                bad.sendRaw(new byte[] {0, 0, 0, 3, 1, 2, 3});
                assertThat(bad.closedByPeer()).isTrue();
            }
        }
        try (RawClient c = new RawClient(address)) {
            c.send(ApiVersionsTable.METADATA, (short) 12, 9, new MetadataRequestData());
            assertThat(c.readFrame().getInt(0)).isEqualTo(9);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatched.get() == 1);
    }
}
