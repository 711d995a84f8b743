package io.sluice.server.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.server.network.RequestDispatcher;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The request path with a scripted handler and a stepped clock: which requests are counted, what a
 * throttled response carries, muting for clients that back off themselves (KIP-219) and a held
 * response for those that do not, Kafka's empty throttled fetch, exempt follower fetches.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class QuotaDispatcherTest {
    private static final int RATE = 1024;
    // Just over a 10 s window at RATE: throttles of under a second.
    private static final int BIG = 11_000;

    private final ClientQuotaManagerTest.SteppedTime time = new ClientQuotaManagerTest.SteppedTime();
    private final BrokerQuotas quotas = new BrokerQuotas(11, 1, 11, 1, time, new PrometheusRegistry());
    private final ScheduledExecutorService eventLoop = Executors.newSingleThreadScheduledExecutor();
    private final RequestDispatcher.ClientInfo client = new RequestDispatcher.ClientInfo("test", 1, eventLoop, "PLAINTEXT");
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicReference<ApiMessage> answer = new AtomicReference<>();
    private final QuotaDispatcher dispatcher = new QuotaDispatcher(new RequestDispatcher() {
        @Override
        public CompletionStage<KafkaResponse> dispatch(KafkaRequest request, ClientInfo c) {
            return CompletableFuture.completedFuture(KafkaResponse.of(answer.get(), () -> released.set(true)));
        }

        @Override
        public KafkaResponse unsupportedApiVersions() {
            throw new UnsupportedOperationException();
        }
    }, quotas);

    @AfterEach
    void close() {
        quotas.close();
        eventLoop.shutdownNow();
    }

    private void quota(String key) {
        ImageBuilder b = new ImageBuilder(MetadataImage.empty("c"));
        b.putClientQuotas(ClientQuotaEntity.of(new ClientQuotaEntity.Component(ClientQuotaEntity.CLIENT_ID, "app")),
            Map.of(key, (double) RATE));
        quotas.onMetadata(b.build());
    }

    private static ProduceRequestData produce() {
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName("t");
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
            .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[BIG]))));
        ProduceRequestData req = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
        req.topicData().add(t);
        return req;
    }

    private static FetchResponseData fetchResponse() {
        FetchResponseData resp = new FetchResponseData().setSessionId(0);
        FetchResponseData.FetchableTopicResponse t = new FetchResponseData.FetchableTopicResponse().setTopic("t");
        t.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0)
            .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[BIG]))));
        resp.responses().add(t);
        return resp;
    }

    private KafkaResponse call(ApiKeys api, int version, String clientId, ApiMessage body) {
        return dispatcher.dispatch(new KafkaRequest(api.id, (short) version, 1, clientId, (short) 1, body), client)
            .toCompletableFuture().join();
    }

    @Test
    void withoutAnyQuotaTheResponseIsTheHandlersOwn() {
        answer.set(new ProduceResponseData());
        KafkaResponse r = call(ApiKeys.PRODUCE, 9, "app", produce());
        assertThat(r.body()).isSameAs(answer.get());
        assertThat(r.muteAfterSendMs()).isZero();
    }

    @Test
    void aProduceOverItsQuotaCarriesTheThrottleAndMutesItsConnection() {
        quota(QuotaKeys.PRODUCER_BYTE_RATE);
        answer.set(new ProduceResponseData());
        KafkaResponse r = call(ApiKeys.PRODUCE, 9, "app", produce());
        int throttle = ((ProduceResponseData) r.body()).throttleTimeMs();
        assertThat(throttle).isPositive();
        assertThat(r.muteAfterSendMs()).isEqualTo(throttle);

        answer.set(new ProduceResponseData());
        KafkaResponse other = call(ApiKeys.PRODUCE, 9, "other", produce());
        assertThat(((ProduceResponseData) other.body()).throttleTimeMs()).isZero();
        assertThat(other.muteAfterSendMs()).isZero();
    }

    @Test
    void aClientThatDoesNotBackOffItselfGetsItsResponseLate() {
        quota(QuotaKeys.PRODUCER_BYTE_RATE);
        answer.set(new ProduceResponseData());
        // ProduceResponse v3-5: shouldClientThrottle is false (KIP-219 starts at v6).
        CompletableFuture<KafkaResponse> f = dispatcher.dispatch(new KafkaRequest(ApiKeys.PRODUCE.id, (short) 5, 1, "app",
            (short) 1, produce()), client).toCompletableFuture();
        assertThat(f).as("held back for the throttle").isNotDone();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(f::isDone);
        KafkaResponse r = f.join();
        assertThat(r.muteAfterSendMs()).isZero();
        assertThat(((ProduceResponseData) r.body()).throttleTimeMs()).isPositive();
    }

    @Test
    void aThrottledFetchIsAnsweredEmptyAndItsDataReleased() {
        quota(QuotaKeys.CONSUMER_BYTE_RATE);
        answer.set(fetchResponse());
        FetchRequestData req = new FetchRequestData().setReplicaId(-1).setMaxBytes(50 << 20).setSessionEpoch(-1);
        KafkaResponse r = call(ApiKeys.FETCH, 12, "app", req);
        FetchResponseData body = (FetchResponseData) r.body();
        assertThat(body.responses()).isEmpty();
        assertThat(body.throttleTimeMs()).isPositive().isEqualTo(r.muteAfterSendMs());
        assertThat(released).as("the read data was released").isTrue();
        assertThat(req.maxBytes()).as("capped to one quota window: 1,024 B/s × 10 s").isEqualTo(10 * RATE);
    }

    @Test
    void aFollowersFetchIsExempt() {
        quota(QuotaKeys.CONSUMER_BYTE_RATE);
        answer.set(fetchResponse());
        FetchRequestData req = new FetchRequestData().setReplicaId(2).setMaxBytes(50 << 20).setSessionEpoch(-1);
        KafkaResponse r = call(ApiKeys.FETCH, 12, "app", req);
        assertThat(r.body()).isSameAs(answer.get());
        assertThat(req.maxBytes()).isEqualTo(50 << 20);
    }
}
